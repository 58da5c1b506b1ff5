#[csp_core::main]
async fn main() {}
