use csp_core::csp;

fn main() {
    let (a, b) = (1, 2);
    csp! {
        if a<-b {
            println!("less");
        }
    }
}
