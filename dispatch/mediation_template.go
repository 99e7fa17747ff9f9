package dispatch

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// AgreementTemplate is the county's agreement (调解协议书): a title and a body with placeholders
// that the agreement fills in (docs/mediation.md, "Template").
type AgreementTemplate struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Placeholders are the names a template may use, as {{name}}.
var Placeholders = []string{"centre", "case_code", "parties", "facts", "claims", "terms", "mediators", "date"}

// Bounds of a template.
const (
	MaxTemplateTitleChars = 100
	MaxTemplateBodyChars  = 10000
)

var placeholderPattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Check refuses a template with an unknown placeholder, a brace left open, or out of bounds.
func (t *AgreementTemplate) Check() error {
	t.Title = strings.TrimSpace(t.Title)
	t.Body = strings.TrimSpace(strings.ReplaceAll(t.Body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(t.Title); n == 0 || n > MaxTemplateTitleChars || !utf8.ValidString(t.Title) {
		return fmt.Errorf("%w: title: 1 to %d characters", ErrBadTemplate, MaxTemplateTitleChars)
	}
	if n := utf8.RuneCountInString(t.Body); n == 0 || n > MaxTemplateBodyChars || !utf8.ValidString(t.Body) {
		return fmt.Errorf("%w: body: 1 to %d characters", ErrBadTemplate, MaxTemplateBodyChars)
	}
	for _, f := range []struct{ name, v string }{{"title", t.Title}, {"body", t.Body}} {
		for _, m := range placeholderPattern.FindAllStringSubmatch(f.v, -1) {
			if !slices.Contains(Placeholders, m[1]) {
				return fmt.Errorf("%w: %s: unknown placeholder {{%s}}; known: %s", ErrBadTemplate, f.name,
					templateQuote(m[1]), strings.Join(Placeholders, ", "))
			}
		}
		rest := placeholderPattern.ReplaceAllString(f.v, "")
		if strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
			return fmt.Errorf("%w: %s: a placeholder is written {{name}}", ErrBadTemplate, f.name)
		}
	}
	return nil
}

func templateQuote(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// Fill puts values (by placeholder name) into s.
func Fill(s string, values map[string]string) string {
	return placeholderPattern.ReplaceAllStringFunc(s, func(m string) string {
		return values[placeholderPattern.FindStringSubmatch(m)[1]]
	})
}
