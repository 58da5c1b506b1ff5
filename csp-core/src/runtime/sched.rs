//! sched placeholder
use std::time::Instant;
use crate::runtime::g::GRef;
use crate::runtime::park::WaitReason;
#[inline(never)]
pub(crate) fn current_g() -> Option<GRef> { None }
pub(crate) fn gopark(_g: GRef, _r: WaitReason, _d: Option<Instant>, _u: &mut dyn FnMut()) { unreachable!() }
pub(crate) fn goready(_g: GRef) { unreachable!() }
