//! Go's test/chan/powser2.go: powser1 with interface-typed channel elements.
//!
//! Go's powser2 sends `item` interface values (holding `*rat`) and recovers them
//! with type assertions; here the data channels carry `Box<dyn Any + Send>` and
//! values are recovered with `downcast`, the Rust equivalent. Everything else is
//! as in go_powser1.rs:
//!
//! A power series is a pair of unbuffered channels: a consumer sends a request on
//! `req`, the producer answers with the next coefficient on `dat`. Every operator
//! (Add, Mul, Diff, Integ, Exp, ...) is a goroutine; `getn` polls two series with
//! a four-case select whose cases are disabled by setting their channels to nil;
//! `split` replicates a series through generations of goroutines. About a hundred
//! goroutines are left parked when the main goroutine returns, as in Go.
//!
//! Rationals are i64 pairs, as in Go. Go's globals `seqno` and `chnameserial`
//! (mutated from many goroutines, a benign race there) are atomics here.

use std::any::Any;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use csp_core::{go, select, Chan};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rat {
    num: i64,
    den: i64,
}

impl Rat {
    fn end(self) -> bool {
        self.den == 0
    }
}

/// Go's `item`: an interface value.
type Item = Box<dyn Any + Send>;

/// The type assertion `it.(*rat)`.
fn as_rat(it: Item) -> Rat {
    *it.downcast::<Rat>().expect("item is not a *rat")
}

/// A channel of items that boxes on send and asserts the type on receive.
#[derive(Clone)]
struct ItemChan(Chan<Item>);

impl ItemChan {
    fn send(&self, r: Rat) {
        self.0.send(Box::new(r));
    }
    fn recv(&self) -> Option<Rat> {
        self.0.recv().map(as_rat)
    }
}

/// A demand channel: requests go in on `req`, values come out on `dat`.
#[derive(Clone)]
struct Dch {
    req: Chan<i64>,
    dat: ItemChan,
    #[allow(dead_code)]
    nam: i64,
}

/// A pair of demand channels, shared (and swapped) by generations of `dosplit`.
type Dch2 = Arc<Mutex<[Dch; 2]>>;

static SEQNO: AtomicI64 = AtomicI64::new(0);
static CHNAMESERIAL: AtomicI64 = AtomicI64::new(-1);
const CHNAMES: i64 = 52;

fn next_seqno() -> i64 {
    SEQNO.fetch_add(1, Ordering::Relaxed) + 1
}

fn mkdch() -> Dch {
    let c = (CHNAMESERIAL.fetch_add(1, Ordering::Relaxed) + 1).rem_euclid(CHNAMES);
    Dch {
        req: Chan::new(0),
        dat: ItemChan(Chan::new(0)),
        nam: c,
    }
}

fn mkdch2() -> Dch2 {
    Arc::new(Mutex::new([mkdch(), mkdch()]))
}

fn side(d: &Dch2, i: usize) -> Dch {
    d.lock().unwrap()[i].clone()
}

// split reads a single demand channel and replicates its output onto two, which
// may be read at different rates. A process is created at first demand for an
// item and dies after the item has been sent to both outputs. When multiple
// generations of split exist, the newest services requests on out[0]; the oldest
// on out[1]. A signal on the release-wait channel tells the next newer generation
// to begin servicing out[1].
fn dosplit(inp: Dch, out: Dch2, wait: Chan<i32>) {
    let mut both = false; // do not service both channels
    let (o0, o1) = (side(&out, 0), side(&out, 1));
    select! {
        case <-o0.req => {},
        case <-wait => {
            both = true;
            select! {
                case <-o0.req => {},
                case <-o1.req => {
                    out.lock().unwrap().swap(0, 1);
                },
            }
        },
    }
    inp.req.send(next_seqno());
    let release = Chan::new(0);
    {
        let (inp, out, release) = (inp.clone(), out.clone(), release.clone());
        go!(dosplit(inp, out, release));
    }
    let dat = inp.dat.recv().unwrap();
    side(&out, 0).dat.send(dat);
    if !both {
        wait.recv();
    }
    let o1 = side(&out, 1);
    o1.req.recv();
    o1.dat.send(dat);
    release.send(0);
}

fn split(inp: Dch, out: Dch2) {
    let release = Chan::new(0);
    {
        let release = release.clone();
        go!(dosplit(inp, out, release));
    }
    release.send(0);
}

fn put(dat: Rat, out: &Dch) {
    out.req.recv();
    out.dat.send(dat);
}

fn get(inp: &Dch) -> Rat {
    inp.req.send(next_seqno());
    inp.dat.recv().unwrap()
}

/// Gets one item from each of two demand channels.
fn getn(inp: [&Dch; 2]) -> [Rat; 2] {
    let mut req = [inp[0].req.clone(), inp[1].req.clone()];
    let mut dat: [Chan<Item>; 2] = [Chan::nil(), Chan::nil()];
    let mut out = [ZERO; 2];
    for _ in 0..4 {
        let s = next_seqno();
        select! {
            case req[0] <- s => {
                dat[0] = inp[0].dat.0.clone();
                req[0] = Chan::nil();
            },
            case req[1] <- s => {
                dat[1] = inp[1].dat.0.clone();
                req[1] = Chan::nil();
            },
            case it = <-dat[0] => {
                out[0] = as_rat(it.unwrap());
                dat[0] = Chan::nil();
            },
            case it = <-dat[1] => {
                out[1] = as_rat(it.unwrap());
                dat[1] = Chan::nil();
            },
        }
    }
    out
}

fn get2(in0: &Dch, in1: &Dch) -> [Rat; 2] {
    getn([in0, in1])
}

fn copy(inp: &Dch, out: &Dch) {
    loop {
        out.req.recv();
        out.dat.send(get(inp));
    }
}

fn repeat(dat: Rat, out: Dch) {
    loop {
        put(dat, &out);
    }
}

type Ps = Dch;

fn gcd(u: i64, v: i64) -> i64 {
    if u < 0 {
        return gcd(-u, v);
    }
    if u == 0 {
        return v;
    }
    gcd(v % u, u)
}

fn i2tor(u: i64, v: i64) -> Rat {
    let g = gcd(u, v);
    if v > 0 {
        Rat {
            num: u / g,
            den: v / g,
        }
    } else {
        Rat {
            num: -u / g,
            den: -v / g,
        }
    }
}

fn itor(u: i64) -> Rat {
    i2tor(u, 1)
}

const ZERO: Rat = Rat { num: 0, den: 1 };
const ONE: Rat = Rat { num: 1, den: 1 };
const FINIS: Rat = Rat { num: 1, den: 0 };

fn add(u: Rat, v: Rat) -> Rat {
    let g = gcd(u.den, v.den);
    i2tor(
        u.num * (v.den / g) + v.num * (u.den / g),
        u.den * (v.den / g),
    )
}

fn mul(u: Rat, v: Rat) -> Rat {
    let g1 = gcd(u.num, v.den);
    let g2 = gcd(u.den, v.num);
    Rat {
        num: (u.num / g1) * (v.num / g2),
        den: (u.den / g2) * (v.den / g1),
    }
}

fn neg(u: Rat) -> Rat {
    i2tor(-u.num, u.den)
}

fn inv(u: Rat) -> Rat {
    assert!(u.num != 0, "zero divide in inv");
    i2tor(u.den, u.num)
}

/// Makes a pair of power series identical to a given power series.
fn split_ps(u: Ps) -> Dch2 {
    let uu = mkdch2();
    {
        let uu = uu.clone();
        go!(split(u, uu));
    }
    uu
}

fn add_ps(u: Ps, v: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        loop {
            zz.req.recv();
            let uv = get2(&u, &v);
            match u8::from(uv[0].end()) + 2 * u8::from(uv[1].end()) {
                0 => zz.dat.send(add(uv[0], uv[1])),
                1 => {
                    zz.dat.send(uv[1]);
                    copy(&v, &zz);
                }
                2 => {
                    zz.dat.send(uv[0]);
                    copy(&u, &zz);
                }
                _ => zz.dat.send(FINIS),
            }
        }
    };
    z
}

fn cmul(c: Rat, u: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        let mut done = false;
        while !done {
            zz.req.recv();
            let x = get(&u);
            if x.end() {
                done = true;
            } else {
                zz.dat.send(mul(c, x));
            }
        }
        zz.dat.send(FINIS);
    };
    z
}

fn sub_ps(u: Ps, v: Ps) -> Ps {
    add_ps(u, cmul(neg(ONE), v))
}

fn rep(c: Rat) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go!(repeat(c, zz));
    z
}

fn shift(c: Rat, u: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        put(c, &zz);
        copy(&u, &zz);
    };
    z
}

fn mul_ps(u: Ps, v: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        zz.req.recv();
        let uv = get2(&u, &v);
        if uv[0].end() || uv[1].end() {
            zz.dat.send(FINIS);
        } else {
            zz.dat.send(mul(uv[0], uv[1]));
            let uu = split_ps(u);
            let vv = split_ps(v);
            let w = add_ps(cmul(uv[0], side(&vv, 0)), cmul(uv[1], side(&uu, 0)));
            zz.req.recv();
            zz.dat.send(get(&w));
            copy(&add_ps(w, mul_ps(side(&uu, 1), side(&vv, 1))), &zz);
        }
    };
    z
}

fn diff(u: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        zz.req.recv();
        let mut x = get(&u);
        if !x.end() {
            let mut done = false;
            let mut i = 1;
            while !done {
                x = get(&u);
                if x.end() {
                    done = true;
                } else {
                    zz.dat.send(mul(itor(i), x));
                    zz.req.recv();
                }
                i += 1;
            }
        }
        zz.dat.send(FINIS);
    };
    z
}

fn integ(c: Rat, u: Ps) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        put(c, &zz);
        let mut done = false;
        let mut i = 1;
        while !done {
            zz.req.recv();
            let x = get(&u);
            if x.end() {
                done = true;
            }
            zz.dat.send(mul(i2tor(1, i), x));
            i += 1;
        }
        zz.dat.send(FINIS);
    };
    z
}

#[allow(dead_code)]
fn recip(u: Ps) -> Ps {
    let z = mkdch();
    let zo = z.clone();
    go! {
        let zz = mkdch2();
        zo.req.recv();
        let zr = inv(get(&u));
        zo.dat.send(zr);
        split(mul_ps(cmul(neg(zr), u), shift(zr, side(&zz, 0))), zz.clone());
        copy(&side(&zz, 1), &zo);
    };
    z
}

fn exp(u: Ps) -> Ps {
    let zz = mkdch2();
    split(integ(ONE, mul_ps(side(&zz, 0), diff(u))), zz.clone());
    side(&zz, 1)
}

fn mon_subst(u: Ps, c0: Rat, n: i64) -> Ps {
    let z = mkdch();
    let zz = z.clone();
    go! {
        let mut c = ONE;
        loop {
            zz.req.recv();
            let x = get(&u);
            zz.dat.send(mul(x, c));
            c = mul(c, c0);
            if x.end() {
                zz.dat.send(FINIS);
                break;
            }
            for _ in 1..n {
                zz.req.recv();
                zz.dat.send(ZERO);
            }
        }
    };
    z
}

fn check(u: &Ps, c: Rat, count: usize, what: &str) {
    for _ in 0..count {
        let r = get(u);
        assert_eq!(r, c, "{what}");
    }
}

const N: usize = 10;

fn checka(u: &Ps, a: &[Rat; N], what: &str) {
    for x in a {
        check(u, *x, 1, what);
    }
}

#[test]
fn powser2() {
    csp_core::run(|| {
        let ones = rep(ONE);
        let twos = rep(itor(2));
        check(&ones, ONE, 5, "Ones");
        // Go checks 0 items of these two (it only builds them).
        check(
            &add_ps(ones.clone(), ones.clone()),
            itor(2),
            0,
            "Add Ones Ones",
        );
        check(
            &add_ps(ones.clone(), twos.clone()),
            itor(3),
            0,
            "Add Ones Twos",
        );
        let mut a = [ZERO; N];
        let d = diff(ones.clone());
        for (i, x) in a.iter_mut().enumerate() {
            *x = itor(i as i64 + 1);
        }
        checka(&d, &a, "Diff"); // 1 2 3 4 5
        let inn = integ(ZERO, ones.clone());
        a[0] = ZERO; // integration constant
        for (i, x) in a.iter_mut().enumerate().skip(1) {
            *x = i2tor(1, i as i64);
        }
        checka(&inn, &a, "Integ"); // 0 1 1/2 1/3 1/4 1/5
        check(&cmul(neg(ONE), twos.clone()), itor(-2), 10, "CMul"); // -2 -2 -2
        check(
            &sub_ps(ones.clone(), twos.clone()),
            itor(-1),
            0,
            "Sub Ones Twos",
        );
        let m = mul_ps(ones.clone(), ones.clone());
        for (i, x) in a.iter_mut().enumerate() {
            *x = itor(i as i64 + 1);
        }
        checka(&m, &a, "Mul"); // 1 2 3 4 5
        let e = exp(ones.clone());
        let exp_coeffs = [
            itor(1),
            itor(1),
            i2tor(3, 2),
            i2tor(13, 6),
            i2tor(73, 24),
            i2tor(167, 40),
            i2tor(4051, 720),
            i2tor(37633, 5040),
            i2tor(43817, 4480),
            i2tor(4596553, 362880),
        ];
        checka(&e, &exp_coeffs, "Exp"); // 1 1 3/2 13/6 73/24
        let at = integ(ZERO, mon_subst(ones.clone(), neg(ONE), 2));
        let mut c = 1;
        for (i, x) in a.iter_mut().enumerate() {
            if i % 2 == 0 {
                *x = ZERO;
            } else {
                *x = i2tor(c, i as i64);
                c *= -1;
            }
        }
        checka(&at, &a, "ATan"); // 0 -1 0 -1/3 0 -1/5
    });
}
