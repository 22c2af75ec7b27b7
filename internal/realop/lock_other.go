//go:build !unix

package realop

// lockFile is a no-op where flock(2) is missing: parallel test binaries of
// several packages may then race on `npm ci`; within one binary, the
// sync.Once in npm.go still holds.
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
