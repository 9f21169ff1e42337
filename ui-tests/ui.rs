//! Misuses of `#[derive(ResultSerializer)]` fail to compile with the messages in the `.stderr`
//! file beside each case. Refresh them with `TRYBUILD=overwrite cargo test -p ui-tests`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("*/*.rs");
}
