// An assembly file lets the package declare functions without a body
// (entersyscall and exitsyscall in net.go, defined by the runtime and
// reached through go:linkname). It holds no code.
