use std::io::{self, BufRead, BufReader, Read, Write};

use flate2::{Compression as Level, write::GzEncoder};
use imaged_core::{Digest, Sha256Hasher};

use crate::{ArchiveError, Compression, EntryGuard, sniff};

/// What [`layer_from_rootfs`] measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerStats {
    /// sha256 of the uncompressed tar: the layer's diff id.
    pub diff_id: Digest,
    /// Bytes of uncompressed tar.
    pub tar_size: u64,
    /// Number of tar entries.
    pub entries: u64,
    /// The layer's size as Docker counts it: the sum of its entries' sizes.
    pub unpacked_size: u64,
    /// How the input was compressed.
    pub input_compression: Compression,
}

/// Passes every byte read through a hasher and into the compressor; remembers a write failure so that it
/// is not mistaken for bad input.
struct Tee<R, W: Write> {
    inner: R,
    hasher: Sha256Hasher,
    out: GzEncoder<W>,
    count: u64,
    write_error: Option<io::Error>,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        if let Err(e) = self.out.write_all(&buf[..n]) {
            let msg = e.to_string();
            self.write_error = Some(e);
            return Err(io::Error::other(msg));
        }
        Ok(n)
    }
}

/// Reads a root filesystem tar (plain, gzip or zstd) from `input`, checks every entry with an
/// [`EntryGuard`], and writes it gzip-compressed (level 1: import is bound by compression speed) to `out`.
/// The tar bytes are stored exactly as received, so the diff id is the sha256 of the input tar.
pub fn layer_from_rootfs<R: Read, W: Write>(input: R, out: W) -> Result<(LayerStats, W), ArchiveError> {
    let mut input = BufReader::with_capacity(1 << 20, input);
    let head = input.fill_buf().map_err(ArchiveError::NotTar)?;
    if head.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let compression = sniff(head);
    let reader = crate::compression::decoder(input, compression)?;
    let mut tee = Tee {
        inner: reader,
        hasher: Sha256Hasher::new(),
        out: GzEncoder::new(out, Level::fast()),
        count: 0,
        write_error: None,
    };
    let result = read_entries(&mut tee, compression);
    if let Some(e) = tee.write_error.take() {
        return Err(ArchiveError::Write(e));
    }
    let (entries, unpacked_size) = result?;
    let out = tee.out.finish().map_err(ArchiveError::Write)?;
    let stats = LayerStats {
        diff_id: tee.hasher.finish(),
        tar_size: tee.count,
        entries,
        unpacked_size,
        input_compression: compression,
    };
    Ok((stats, out))
}

/// Checks every entry; returns how many there were and the sum of their sizes.
fn read_entries<R: Read, W: Write>(tee: &mut Tee<R, W>, compression: Compression) -> Result<(u64, u64), ArchiveError> {
    let bad_input = |e: io::Error| match compression {
        Compression::None => ArchiveError::NotTar(e),
        _ if e.kind() == io::ErrorKind::UnexpectedEof || e.kind() == io::ErrorKind::InvalidInput => {
            ArchiveError::Corrupt(e)
        }
        _ => ArchiveError::NotTar(e),
    };
    let mut guard = EntryGuard::new();
    let mut entries = 0u64;
    let mut unpacked_size = 0u64;
    {
        let mut archive = tar::Archive::new(&mut *tee);
        for entry in archive.entries().map_err(bad_input)? {
            let mut entry = entry.map_err(bad_input)?;
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let link = entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned());
            guard.check(&path, entry.header().entry_type(), link.as_deref())?;
            let declared = entry.header().entry_size().map_err(bad_input)?;
            let copied = io::copy(&mut entry, &mut io::sink()).map_err(bad_input)?;
            if copied != declared {
                return Err(ArchiveError::Truncated { entry: path, copied, declared });
            }
            entries += 1;
            unpacked_size += declared;
        }
    }
    let trailing = io::copy(tee, &mut io::sink()).map_err(bad_input)?;
    if entries == 0 && trailing == 0 && tee.count < 1024 {
        return Err(ArchiveError::NotTar(io::Error::new(io::ErrorKind::InvalidData, "no tar header found")));
    }
    Ok((entries, unpacked_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn plain_and_gzip_inputs_give_the_same_layer_contents() {
        let tar = tar_of(&[("etc/hostname", b"box\n"), ("bin/tool", &[7u8; 5000])]);
        let (stats, gz) = layer_from_rootfs(&tar[..], Vec::new()).unwrap();
        assert_eq!(stats.diff_id, Digest::of(&tar));
        assert_eq!(stats.tar_size, tar.len() as u64);
        assert_eq!(stats.entries, 2);
        assert_eq!(gunzip(&gz), tar);

        let mut enc = GzEncoder::new(Vec::new(), Level::default());
        enc.write_all(&tar).unwrap();
        let (stats2, gz2) = layer_from_rootfs(&enc.finish().unwrap()[..], Vec::new()).unwrap();
        assert_eq!(stats2.diff_id, stats.diff_id);
        assert_eq!(stats2.input_compression, Compression::Gzip);
        assert_eq!(gunzip(&gz2), tar);

        let z = zstd::encode_all(&tar[..], 3).unwrap();
        let (stats3, _) = layer_from_rootfs(&z[..], Vec::new()).unwrap();
        assert_eq!(stats3.diff_id, stats.diff_id);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(matches!(layer_from_rootfs(&[][..], Vec::new()), Err(ArchiveError::Empty)));
        let junk = vec![b'x'; 4096];
        assert!(matches!(layer_from_rootfs(&junk[..], Vec::new()), Err(ArchiveError::NotTar(_))));
        let tar = tar_of(&[("big", &[1u8; 100_000])]);
        let mut enc = GzEncoder::new(Vec::new(), Level::default());
        enc.write_all(&tar).unwrap();
        let gz = enc.finish().unwrap();
        let err = layer_from_rootfs(&gz[..gz.len() / 2], Vec::new()).unwrap_err();
        assert!(
            matches!(err, ArchiveError::Corrupt(_) | ArchiveError::NotTar(_) | ArchiveError::Truncated { .. }),
            "{err}"
        );
        let err = layer_from_rootfs(&tar[..tar.len() / 2], Vec::new()).unwrap_err();
        assert!(matches!(err, ArchiveError::Truncated { .. }), "{err}");
        assert!(matches!(
            layer_from_rootfs(&b"BZh91AY"[..], Vec::new()),
            Err(ArchiveError::UnsupportedCompression("bzip2"))
        ));
    }

    #[test]
    fn write_failures_are_not_blamed_on_the_input() {
        #[derive(Debug)]
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(28))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let tar = tar_of(&[("f", &[3u8; 300_000])]);
        let err = layer_from_rootfs(&tar[..], Full).unwrap_err();
        assert!(matches!(err, ArchiveError::Write(_)), "{err}");
        assert_eq!(err.kind(), imaged_core::ErrorKind::ResourceExhausted);
    }
}
