package dispatch_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// withCheck completes 17 digits with their GB 11643 check character.
func withCheck(d17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(d17[i]-'0') * w[i]
	}
	return d17 + string("10X98765432"[sum%11])
}

func TestCheckIDNumber(t *testing.T) {
	good := []string{"11010519491231002X", withCheck("14080219900101123"), withCheck("14080220001231004")}
	for _, id := range good {
		if err := dispatch.CheckIDNumber(id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	valid := withCheck("14080219900101123")
	wrongCheck := valid[:17] + map[bool]string{true: "0", false: "1"}[valid[17] != '0']
	bad := map[string]string{
		"check digit":     wrongCheck,
		"17 characters":   valid[:17],
		"19 characters":   valid + "1",
		"a letter inside": "1408021990A101123" + "4",
		"no such date":    withCheck("14080219900230123"),
		"lower-case x":    "11010519491231002x",
		"empty":           "",
	}
	for name, id := range bad {
		if err := dispatch.CheckIDNumber(id); err == nil {
			t.Errorf("%s (%q): accepted", name, id)
		} else if id != "" && strings.Contains(err.Error(), id) {
			t.Errorf("%s: the error repeats the number: %v", name, err)
		}
	}
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{"140802199001011234": "1408**********1234", "": ""} {
		if got := dispatch.MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"13900000001": "139****0001", "0359-2021234": "035*****1234", "12345": "***45", "": ""} {
		if got := dispatch.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMediationInputCheck(t *testing.T) {
	id := withCheck("14080219900101123")
	ok := func() dispatch.MediationInput {
		return dispatch.MediationInput{Facts: "两户因排水沟发生争执", Outcome: dispatch.MediationSettled, Terms: "东户出资修沟",
			Parties: []dispatch.Party{{Role: dispatch.PartyApplicant, Name: "张三", IDNumber: id, Phone: "13900000001"},
				{Role: dispatch.PartyRespondent, Name: "李四"}},
			Mediators: []dispatch.Mediator{{Name: "王调解"}}}
	}
	in := ok()
	if err := in.Check(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, field string
		change      func(*dispatch.MediationInput)
	}{
		{"bad ID", "parties[0].id_number", func(in *dispatch.MediationInput) { in.Parties[0].IDNumber = id[:17] + "Y" }},
		{"no name", "parties[1].name", func(in *dispatch.MediationInput) { in.Parties[1].Name = " " }},
		{"long name", "parties[1].name", func(in *dispatch.MediationInput) { in.Parties[1].Name = strings.Repeat("名", 51) }},
		{"role", "parties[0].role", func(in *dispatch.MediationInput) { in.Parties[0].Role = "witness" }},
		{"phone", "parties[0].phone", func(in *dispatch.MediationInput) { in.Parties[0].Phone = "call me" }},
		{"no parties", "parties", func(in *dispatch.MediationInput) { in.Parties = nil }},
		{"too many parties", "parties", func(in *dispatch.MediationInput) {
			in.Parties = make([]dispatch.Party, dispatch.MaxMediationParties+1)
		}},
		{"no mediator", "mediators", func(in *dispatch.MediationInput) { in.Mediators = nil }},
		{"outside mediator without a name", "mediators[0].name", func(in *dispatch.MediationInput) { in.Mediators[0].Name = "" }},
		{"facts too long", "facts", func(in *dispatch.MediationInput) { in.Facts = strings.Repeat("事", dispatch.MaxMediationText+1) }},
		{"settled without terms", "terms", func(in *dispatch.MediationInput) { in.Terms = "" }},
		{"settled without a respondent", "parties", func(in *dispatch.MediationInput) { in.Parties[1].Role = dispatch.PartyOther }},
		{"outcome", "outcome", func(in *dispatch.MediationInput) { in.Outcome = "won" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok()
			c.change(&in)
			var me *dispatch.MediationError
			err := in.Check()
			if !errors.As(err, &me) || me.Field != c.field || !errors.Is(err, dispatch.ErrBadMediation) {
				t.Fatalf("got %v; want a refusal of %s", err, c.field)
			}
		})
	}
}

func TestAgreementTemplateCheck(t *testing.T) {
	good := dispatch.AgreementTemplate{Title: "人民调解协议书", Body: "编号：{{case_code}}\n{{ parties }}\n{{facts}}{{claims}}{{terms}}{{mediators}}{{centre}}{{date}}"}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	for name, tpl := range map[string]dispatch.AgreementTemplate{
		"unknown placeholder":  {Title: "协议书", Body: "{{party_names}}"},
		"unknown in the title": {Title: "{{county}}协议书", Body: "{{terms}}"},
		"brace left open":      {Title: "协议书", Body: "{{terms}"},
		"brace closed alone":   {Title: "协议书", Body: "terms}}"},
		"no title":             {Title: " ", Body: "{{terms}}"},
		"body too long":        {Title: "协议书", Body: strings.Repeat("字", dispatch.MaxTemplateBodyChars+1)},
	} {
		if err := tpl.Check(); !errors.Is(err, dispatch.ErrBadTemplate) {
			t.Errorf("%s: got %v, want ErrBadTemplate", name, err)
		}
	}
	if got := dispatch.Fill("经{{centre}}调解，{{ date }}", map[string]string{"centre": "东阜村调委会", "date": "2026年12月7日"}); got != "经东阜村调委会调解，2026年12月7日" {
		t.Errorf("Fill: %q", got)
	}
}

// The personal-data key is made once, readable by its owner only, and read back the same; a
// file that is not a key is refused rather than replaced.
func TestLoadSealKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "pii.key")
	k1, err := dispatch.LoadSealKey(path)
	if err != nil || len(k1) != dispatch.SealKeyBytes {
		t.Fatalf("%x %v", k1, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	k2, err := dispatch.LoadSealKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("read back %x, made %x (%v)", k2, k1, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dispatch.LoadSealKey(bad); err == nil {
		t.Fatal("a file that is not a key was accepted")
	}
	if _, err := dispatch.NewMediations(nil, k1[:16]); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}
