package web

import (
	"fmt"

	"github.com/griddispatch/griddispatch/grid"
)

// check refuses a sign-in that cannot succeed before a password hash is compared: a phone that
// is no mainland mobile number, an empty password or one longer than bcrypt reads.
func (req signInRequest) check() error {
	if err := grid.CheckPhone(req.Phone); err != nil {
		return fmt.Errorf("%w: phone must be an 11-digit mainland mobile number", ErrBadRequest)
	}
	if req.Password == "" || len(req.Password) > grid.MaxPasswordBytes {
		return fmt.Errorf("%w: password must have 1 to %d bytes", ErrBadRequest, grid.MaxPasswordBytes)
	}
	return nil
}
