// Package load drives a call at a fixed rate or as fast as a fixed number of
// workers can, and summarises latency percentiles, throughput and errors.
//
// Failed calls are counted and stay in the latency figures: a call's latency
// is measured whatever its outcome. In fixed-rate mode a call's latency runs
// from the instant it was due, not from when a worker got to it, so a server
// that falls behind shows it in the percentiles (no coordinated omission);
// only the load generator's own timer lateness is left out.
package load
