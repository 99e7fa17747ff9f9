package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	// encoding/json/v2 as it will ship in Go 1.27, from the module that mirrors it: its strict
	// reading is what clients are promised (docs/api.md), where encoding/json matches names
	// case-insensitively, lets the last of two equal names win, and replaces invalid UTF-8.
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FieldError is JSON from a client that could not be read, with where in it: Field is the path
// of the member at fault ("lon", "report.lon", "deadlines.village_s", "photos[2]"), "" for the
// whole message. Its message names the field and what is expected, never a Go type.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Unwrap makes it a bad request.
func (e *FieldError) Unwrap() error { return ErrBadRequest }

// unmarshalStrict reads data, one JSON value with nothing after it, into v. Member names must
// match exactly and appear once, every member must be one v has, text must be valid UTF-8 with
// no escaped lone surrogates, and numbers must fit their fields. Every error is a *FieldError.
func unmarshalStrict(data []byte, v any) error {
	err := jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true))
	if err == nil {
		return nil
	}
	return describeJSONError(err)
}

// decodeJSON reads one JSON object of at most maxBytes into v by unmarshalStrict's rules.
func decodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	data, err := readRequestBody(w, r, maxBytes)
	if err != nil {
		return err
	}
	return unmarshalStrict(data, v)
}

// readRequestBody reads a request's body of at most maxBytes: larger is a *http.MaxBytesError (413),
// a body that breaks off is a bad request.
func readRequestBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: reading the body: %v", ErrBadRequest, err)
	}
	return data, nil
}

func describeJSONError(err error) *FieldError {
	var sem *jsonv2.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &sem):
		return &FieldError{Field: fieldPath(sem.JSONPointer), Message: semanticMessage(sem)}
	case errors.As(err, &syn):
		return &FieldError{Field: fieldPath(syn.JSONPointer), Message: syntacticMessage(syn)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &FieldError{Message: "the JSON ends before it is complete"}
	}
	return &FieldError{Message: "not valid JSON"}
}

// fieldPath writes a JSON pointer as the field's path: /report/photos/2 is report.photos[2].
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

var timeType = reflect.TypeFor[time.Time]()

func semanticMessage(e *jsonv2.SemanticError) string {
	if errors.Is(e.Err, jsonv2.ErrUnknownName) {
		return "not a known field (names are matched exactly, and each must be one the message has)"
	}
	t := e.GoType
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "not the expected JSON value"
	}
	outOfRange := e.Err != nil && strings.Contains(e.Err.Error(), "out of range")
	switch {
	case t == timeType:
		return "must be a time in RFC 3339 with its zone, e.g. 2026-11-22T08:30:00+08:00"
	case outOfRange:
		return fmt.Sprintf("%s is out of range", e.JSONValue)
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "must be a whole number"
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	case reflect.Struct, reflect.Map:
		return "must be an object"
	}
	return "not the expected JSON value"
}

func syntacticMessage(e *jsontext.SyntacticError) string {
	msg := e.Err.Error()
	switch {
	case errors.Is(e.Err, jsontext.ErrDuplicateName):
		return "appears more than once"
	case strings.Contains(msg, "invalid UTF-8"):
		return "is not valid UTF-8"
	case strings.Contains(msg, "surrogate"):
		return `holds an escaped lone surrogate (such as \ud800), which is not a character`
	case strings.Contains(msg, "after top-level value"):
		return "data after the JSON value: one JSON object per message"
	case errors.Is(e.Err, io.ErrUnexpectedEOF):
		return "the JSON ends before it is complete"
	}
	return fmt.Sprintf("not valid JSON at byte %d: %s", e.ByteOffset, msg)
}

// frameID is the "id" member of a JSON object that could not be decoded, when it can be read: a
// string of 1 to maxMessageID bytes among the object's top-level members, before anything
// malformed. An answer to a refused frame repeats it, so the client knows which request failed.
func frameID(data []byte) string {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return ""
	}
	for {
		name, err := dec.ReadToken()
		if err != nil || name.Kind() != '"' {
			return ""
		}
		if name.String() != "id" {
			if dec.SkipValue() != nil {
				return ""
			}
			continue
		}
		v, err := dec.ReadToken()
		if err != nil || v.Kind() != '"' || len(v.String()) == 0 || len(v.String()) > maxMessageID {
			return ""
		}
		return v.String()
	}
}
