//! `cargo run -p imaged-pygen`: writes `imaged/_messages.py` and `_messages.pyi` of the Python bindings from
//! the API's descriptor set. `--check` exits 1 when the committed files are stale instead of writing.

use std::{path::Path, process::ExitCode};

use imaged_pygen::{PY_PATH, PYI_PATH, generate_api};

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let g = generate_api();
    let mut stale = false;
    for (path, text) in [(PY_PATH, &g.py), (PYI_PATH, &g.pyi)] {
        let file = repo.join(path);
        let current = std::fs::read_to_string(&file).unwrap_or_default();
        if current == *text {
            continue;
        }
        if check {
            eprintln!("{path} is stale: run `cargo run -p imaged-pygen`");
            stale = true;
        } else if let Err(e) = std::fs::write(&file, text) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::FAILURE;
        } else {
            println!("wrote {path}");
        }
    }
    if stale { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
