// Package layering holds the test that keeps the repository's imports
// flowing one way: cmd → gateway → translate → gen, with the simulator
// beside the gateway (it may use translate's catalogue and gen, never the
// gateway).
package layering
