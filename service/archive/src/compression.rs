/// Compression of a tar stream, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

/// Tells the compression from the magic bytes at the start of a stream.
pub fn sniff(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [b'B', b'Z', b'h', ..] => Compression::Bzip2,
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
        _ => Compression::None,
    }
}

/// A reader that decompresses `input` (whose first bytes told `compression`).
pub fn decoder<'a, R: std::io::BufRead + 'a>(
    input: R,
    compression: Compression,
) -> Result<Box<dyn std::io::Read + 'a>, crate::ArchiveError> {
    Ok(match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Zstd => Box::new(zstd::Decoder::with_buffer(input).map_err(crate::ArchiveError::Corrupt)?),
        Compression::Bzip2 => return Err(crate::ArchiveError::UnsupportedCompression("bzip2")),
        Compression::Xz => return Err(crate::ArchiveError::UnsupportedCompression("xz")),
    })
}

/// What Docker reports as a layer's size: the sum of its tar headers' sizes as it unpacks them (regular
/// files' contents; directories, links and whiteouts count nothing), read from the layer blob as stored
/// (plain, gzip or zstd).
pub fn unpacked_size(blob: impl std::io::Read) -> Result<u64, crate::ArchiveError> {
    let mut input = std::io::BufReader::with_capacity(1 << 20, blob);
    let head = std::io::BufRead::fill_buf(&mut input).map_err(crate::ArchiveError::NotTar)?;
    if head.is_empty() {
        return Ok(0);
    }
    let compression = sniff(head);
    let mut archive = tar::Archive::new(decoder(input, compression)?);
    let mut total = 0u64;
    for entry in archive.entries().map_err(crate::ArchiveError::NotTar)? {
        let entry = entry.map_err(crate::ArchiveError::NotTar)?;
        total += entry.size();
    }
    Ok(total)
}
