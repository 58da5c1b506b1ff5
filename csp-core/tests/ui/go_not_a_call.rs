use csp_core::go;

fn main() {
    let x = 1;
    go!(x + 1);
}
