package grid

import (
	"fmt"
	"regexp"
	"slices"
)

// Role is what a member does at the unit they are assigned to.
type Role string

// Roles of the grid and the mediation centres.
const (
	RoleGridWorker  Role = "grid_worker"  // 网格员
	RoleGridLeader  Role = "grid_leader"  // 网格长
	RoleInfoOfficer Role = "info_officer" // 网格信息员
	RoleMediator    Role = "mediator"     // 矛调中心调解员, at the centre of a county, township or village
	RoleSupervisor  Role = "supervisor"   // 督导, township or county leadership
	RoleAdmin       Role = "admin"        // 管理员
)

// roleLevels says at which levels each role may be assigned: grid staff at their grid or
// micro-grid, mediators at the three tiers that have mediation centres, supervisors at the
// township and county, administrators at the county or a township (each administers their
// subtree, docs/admin.md).
var roleLevels = map[Role][]Level{
	RoleGridWorker:  {Grid},
	RoleGridLeader:  {Grid},
	RoleInfoOfficer: {MicroGrid},
	RoleMediator:    {County, Township, Village},
	RoleSupervisor:  {County, Township},
	RoleAdmin:       {County, Township},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLevels[r]; return ok }

// AllowedAt reports whether r may be assigned at a unit of level l.
func (r Role) AllowedAt(l Level) bool { return slices.Contains(roleLevels[r], l) }

// Member is a person who uses the product: identified by a mobile number.
type Member struct {
	ID    int64  `db:"id"`
	Phone string `db:"phone"`
	Name  string `db:"name"`
	// MustChangePassword: signed in with a one-time code, the member may only choose a new
	// password (docs/admin.md).
	MustChangePassword bool `db:"must_change_password"`
}

// Assignment places a member at a unit with a role.
type Assignment struct {
	MemberID int64  `db:"member_id"`
	UnitCode string `db:"unit_code"`
	Role     Role   `db:"role"`
}

// MaxMemberNameLength bounds member names, in characters (the schema checks the same).
const MaxMemberNameLength = 50

var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// CheckPhone checks a mainland mobile number: 11 digits starting 13 to 19.
func CheckPhone(phone string) error {
	if !phonePattern.MatchString(phone) {
		return fmt.Errorf("%w: phone %q is not an 11-digit mainland mobile number", ErrInvalidMember, phone)
	}
	return nil
}

// CheckMember checks a member's phone number and name.
func CheckMember(phone, name string) error {
	if err := CheckPhone(phone); err != nil {
		return err
	}
	if n := len([]rune(name)); n == 0 || n > MaxMemberNameLength {
		return fmt.Errorf("%w: name must have 1 to %d characters, has %d", ErrInvalidMember, MaxMemberNameLength, n)
	}
	return nil
}
