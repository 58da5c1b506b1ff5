use csp_core::go;

fn main() {
    go!();
}
