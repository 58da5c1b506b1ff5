//! G placeholder.
use std::ptr::NonNull;
use crate::runtime::park::WaitState;
pub(crate) struct G { pub(crate) wait: WaitState }
pub(crate) type GRef = NonNull<G>;
