//go:build !race

package geo

// raceDetector: this test binary was built with -race (see skipUnderRace).
const raceDetector = false
