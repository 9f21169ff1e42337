//! Misuses of `#[derive(ResultSerializer)]` fail to compile with the messages in `ui-tests/`.
//! Refresh the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui-tests/**/*.rs");
}
