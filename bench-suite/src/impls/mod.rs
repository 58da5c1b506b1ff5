//! One adapter per implementation, implementing [`Flavor`](crate::Flavor) (and
//! [`Select4`](crate::Select4) where the library has a select). Libraries used
//! from OS threads provide only their channel and share the task side:
//! [`threads::OnThreads`].

mod crossbeam;
#[cfg(feature = "csp-goroutines")]
mod csp_goroutines;
#[cfg(feature = "csp-threads")]
mod csp_threads;
mod flume;
mod go_lib;
mod kanal;
mod may;
mod std_mpsc;
pub mod threads;

pub use self::crossbeam::Crossbeam;
#[cfg(feature = "csp-goroutines")]
pub use self::csp_goroutines::CspGoroutines;
#[cfg(feature = "csp-threads")]
pub use self::csp_threads::CspThreads;
pub use self::flume::Flume;
pub use self::go_lib::GoLib;
pub use self::kanal::Kanal;
pub use self::may::May;
pub use self::std_mpsc::StdMpsc;
