use std::io::Write;

use imaged_core::Digest;

use super::*;

fn store() -> (tempfile::TempDir, BlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = BlobStore::open(dir.path()).unwrap();
    (dir, s)
}

#[test]
fn commit_makes_blob_visible_only_after_verification() {
    let (_d, s) = store();
    let data = b"hello world";
    let digest = Digest::of(data);
    let mut w = s.writer("r1").unwrap();
    w.write_all(data).unwrap();
    assert!(!s.exists(&digest), "visible before commit");
    let c = w.commit(Some(11), Some(&digest)).unwrap();
    assert_eq!(c, Committed { digest: digest.clone(), size: 11, existed: false });
    assert_eq!(s.read(&digest).unwrap(), data);
    assert!(s.verify(&digest).unwrap());
    assert!(s.ingest_status("r1").unwrap().is_none());
}

#[test]
fn mismatch_leaves_nothing() {
    let (_d, s) = store();
    let mut w = s.writer("r").unwrap();
    w.write_all(b"abc").unwrap();
    let wrong = Digest::of(b"abd");
    let err = w.commit(None, Some(&wrong)).unwrap_err();
    assert!(matches!(err, StoreError::DigestMismatch { .. }), "{err}");
    assert!(s.walk().unwrap().is_empty());
    assert!(s.ingest_status("r").unwrap().is_none());
    let mut w = s.writer("r2").unwrap();
    w.write_all(b"abc").unwrap();
    assert!(matches!(w.commit(Some(4), None), Err(StoreError::SizeMismatch { .. })));
}

#[test]
fn resume_after_reopen_continues_at_offset() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = BlobStore::open(dir.path()).unwrap();
        let mut w = s.writer("pull-x").unwrap();
        w.write_all(b"first half ").unwrap();
        drop(w);
    }
    let s = BlobStore::open(dir.path()).unwrap();
    assert_eq!(s.ingest_status("pull-x").unwrap().unwrap().offset, 11);
    assert_eq!(s.list_ingests().unwrap().len(), 1);
    let mut w = s.writer("pull-x").unwrap();
    assert_eq!(w.offset(), 11);
    w.write_all(b"second half").unwrap();
    let expected = Digest::of(b"first half second half");
    let c = w.commit(Some(22), Some(&expected)).unwrap();
    assert_eq!(c.digest, expected);
}

#[test]
fn one_writer_per_ref_and_existing_blobs() {
    let (_d, s) = store();
    let w = s.writer("same").unwrap();
    assert!(matches!(s.writer("same"), Err(StoreError::Locked(_))));
    assert!(matches!(s.abort("same"), Err(StoreError::Locked(_))));
    drop(w);
    s.abort("same").unwrap();
    let a = s.write_blob(b"x", None).unwrap();
    assert!(!a.existed);
    let b = s.write_blob(b"x", Some(&a.digest)).unwrap();
    assert!(b.existed);
    assert!(s.write_blob(b"y", Some(&a.digest)).is_err());
    assert_eq!(s.walk().unwrap().len(), 1);
    assert_eq!(s.delete(&a.digest).unwrap(), Some(1));
    assert_eq!(s.delete(&a.digest).unwrap(), None);
    assert!(matches!(s.info(&a.digest), Err(StoreError::NotFound(_))));
}
