//! One kill -9 round for each of pull, push, load, build, commit, prune and tag (the `imaged-soak` binary
//! runs 50 seeded rounds): `imaged --check` passes after each, nothing is lost, and the retry succeeds.
#[test]
fn one_kill_round_per_operation() {
    let r = imaged_tests::soak::soak(7, 42).unwrap();
    assert_eq!(r.iterations, 7);
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
}
