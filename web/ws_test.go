package web_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/grid"
	"github.com/griddispatch/griddispatch/grid/gridtest"
	"github.com/griddispatch/griddispatch/migrations/dbtest"
	"github.com/griddispatch/griddispatch/web"
)

type fixture struct {
	base, ws string
	g        *grid.Store
	auth     *web.Auth
	token    string // of the grid worker 13900000001 at grid 140802001001001
	dataDir  string
	pool     *pgxpool.Pool
	db       *dbtest.DB
	intake   *dispatch.Intake
	srv      *web.Server
}

// newFixture serves the small test grid with one grid worker signed in.
func newFixture(t *testing.T) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with the server's config adjusted by configure.
func newFixtureWith(t *testing.T, configure func(*web.Config)) *fixture {
	t.Helper()
	return openFixture(t, configure, nil)
}

// openFixture builds the fixture; configure adjusts the server's config, tune the server itself
// before it opens (hostile_helpers_test.go).
func openFixture(t *testing.T, configure func(*web.Config), tune func(*web.Server)) *fixture {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	fx := &fixture{g: grid.NewStore(db.Pool), dataDir: t.TempDir(), pool: db.Pool, db: db}
	gridtest.Import(t, fx.g)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	loc, err := fx.g.NewLocator(ctx, grid.DefaultNearMetres)
	if err != nil {
		t.Fatal(err)
	}
	intake := dispatch.NewIntake(db.Pool, loc, logger)
	if err := intake.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(intake.Close)
	fx.intake = intake
	fx.auth = web.NewAuth(db.Pool, fx.g)
	cfg := web.Config{Auth: fx.auth, Intake: intake,
		Photos: dispatch.NewPhotos(fx.dataDir, db.Pool), Locator: loc, Cases: dispatch.NewCases(db.Pool),
		Catalogue: dispatch.NewCatalogue(db.Pool), Notifications: dispatch.NewNotifier(db.Pool, logger),
		Calendar:       dispatch.NewCalendarStore(db.Pool),
		GradeRules:     dispatch.NewGradeRules(db.Pool),
		Stats:          dispatch.NewStats(db.Pool),
		AllowedOrigins: []string{"https://app.example.cn"}}
	if configure != nil {
		configure(&cfg)
	}
	s, err := web.NewServer(logger, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(s)
	}
	if err := s.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	fx.srv = s
	fx.base, fx.ws = "http://"+s.Addr(), "ws://"+s.Addr()+"/ws"
	fx.token = fx.member(t, "13900000001", "140802001001001", grid.RoleGridWorker)
	return fx
}

// memberID is the id of the member with this phone.
func (fx *fixture) memberID(t *testing.T, phone string) int64 {
	t.Helper()
	var id int64
	if err := fx.pool.QueryRow(context.Background(), `SELECT id FROM members WHERE phone = $1`, phone).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// member creates a signed-in member with one role and returns their token.
func (fx *fixture) member(t *testing.T, phone, unit string, role grid.Role) string {
	t.Helper()
	ctx := context.Background()
	m, err := fx.g.CreateMember(ctx, phone, "成员"+phone[7:])
	if err != nil {
		t.Fatal(err)
	}
	gridtest.SetPassword(t, fx.pool, m.ID, password)
	if err := fx.g.Assign(ctx, grid.Assignment{MemberID: m.ID, UnitCode: unit, Role: role}); err != nil {
		t.Fatal(err)
	}
	sess, err := fx.auth.SignIn(ctx, phone, password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return sess.Token
}

func wsServer(t *testing.T) (wsURL, token string) {
	t.Helper()
	fx := newFixture(t)
	return fx.ws, fx.token
}

func dial(t *testing.T, url string, header http.Header, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial(url, header)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

func connect(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	c, _, err := dial(t, url, nil, web.Subprotocol, "bearer."+token)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != web.Subprotocol {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	if hello := read(t, c); hello["type"] != "hello" || hello["protocol"] != 1.0 {
		t.Fatalf("first frame: %v", hello)
	}
	return c
}

func read(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return m
}

func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func reportMsg(id, clientID string) map[string]any {
	return map[string]any{"type": "report", "id": id, "report": map[string]any{
		"client_id": clientID, "category": "neighbour", "severity": "normal", "description": "邻里因噪音争吵",
		"lon": 111.02, "lat": 35.02, "accuracy_m": 12, "happened_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}}
}

func TestWebsocketReportIsAcknowledgedOnce(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	c := connect(t, url, token)
	clientID := newClientID()
	if err := c.WriteJSON(reportMsg("r1", clientID)); err != nil {
		t.Fatal(err)
	}
	ack := read(t, c)
	rc, _ := ack["receipt"].(map[string]any)
	units, _ := rc["units"].([]any)
	if ack["type"] != "ack" || ack["id"] != "r1" || rc["case_id"] == nil || rc["located"] != true || rc["duplicate"] != false || len(units) != 5 {
		t.Fatalf("ack: %v", ack)
	}
	if u := units[2].(map[string]any); u["name"] != "东阜村" || u["code"] != "140802001001" {
		t.Fatalf("village in receipt: %v", u)
	}
	// The phone resends (it never saw the ack): same case, marked duplicate.
	if err := c.WriteJSON(reportMsg("r2", clientID)); err != nil {
		t.Fatal(err)
	}
	again := read(t, c)
	rc2, _ := again["receipt"].(map[string]any)
	if again["id"] != "r2" || rc2["case_id"] != rc["case_id"] || rc2["duplicate"] != true {
		t.Fatalf("resend: %v", again)
	}
	// Markup and SQL in a description are just text: stored, never interpreted.
	hostile := reportMsg("r3", newClientID())
	hostile["report"].(map[string]any)["description"] = `<script>alert(1)</script>'; DROP TABLE events; --`
	if err := c.WriteJSON(hostile); err != nil {
		t.Fatal(err)
	}
	if f := read(t, c); f["type"] != "ack" {
		t.Fatalf("hostile text: %v", f)
	}
}

func TestWebsocketErrorFrames(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	c := connect(t, url, token)
	bad := reportMsg("r1", newClientID())
	bad["report"].(map[string]any)["description"] = ""
	cases := []struct {
		name  string
		frame any
		code  string
		field string
	}{
		{"invalid field", bad, "invalid_report", "description"},
		{"not JSON", "this is not json", "bad_message", ""},
		{"unknown field", map[string]any{"type": "report", "id": "x", "report": map[string]any{}, "extra": 1}, "bad_message", ""},
		{"unknown type", map[string]any{"type": "delete_everything", "id": "x"}, "unknown_type", ""},
		{"report without id", map[string]any{"type": "report", "report": map[string]any{}}, "bad_message", ""},
		{"client id not a UUID", reportMsg("r9", "bad-uuid"), "invalid_report", "client_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if s, ok := tc.frame.(string); ok {
				err = c.WriteMessage(websocket.TextMessage, []byte(s))
			} else {
				err = c.WriteJSON(tc.frame)
			}
			if err != nil {
				t.Fatal(err)
			}
			f := read(t, c)
			if f["type"] != "error" || f["code"] != tc.code || (tc.field != "" && f["field"] != tc.field) || f["message"] == "" || f["retryable"] != false {
				t.Fatalf("frame: %v; want error %s on %q", f, tc.code, tc.field)
			}
		})
	}
}

func TestWebsocketHandshakeRefusals(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)
	cases := []struct {
		name      string
		protocols []string
		origin    string
		status    int
	}{
		{"no token", []string{web.Subprotocol}, "", http.StatusUnauthorized},
		{"wrong token", []string{web.Subprotocol, "bearer.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "", http.StatusUnauthorized},
		{"no subprotocol", []string{"bearer." + token}, "", http.StatusBadRequest},
		{"foreign origin", []string{web.Subprotocol, "bearer." + token}, "https://evil.example.com", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			_, resp, err := dial(t, url, h, tc.protocols...)
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Fatalf("handshake: err %v, status %d; want %d", err, status, tc.status)
			}
		})
	}
	// A configured origin is welcome.
	h := http.Header{"Origin": {"https://app.example.cn"}}
	if _, _, err := dial(t, url, h, web.Subprotocol, "bearer."+token); err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
}

func TestWebsocketLimits(t *testing.T) {
	t.Parallel()
	url, token := wsServer(t)

	t.Run("oversized frame closes the connection", func(t *testing.T) {
		c := connect(t, url, token)
		big := reportMsg("big", newClientID())
		big["report"].(map[string]any)["description"] = strings.Repeat("字", 30_000) // ~90 KB
		// The server closes as soon as it has read the frame's length, possibly while the
		// client is still writing it: then the write fails. Otherwise the close frame says 1009.
		if err := c.WriteJSON(big); err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := c.ReadMessage()
			if err == nil {
				continue // frames sent before the close
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
				t.Fatalf("closed with %d; want 1009", ce.Code)
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the connection stayed open after an oversized frame")
			}
			return
		}
	})

	t.Run("a flood is answered with rate_limited", func(t *testing.T) {
		c := connect(t, url, token)
		for i := range 60 {
			if err := c.WriteJSON(map[string]any{"type": "nonsense", "id": fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		limited := 0
		for range 60 {
			if f := read(t, c); f["code"] == "rate_limited" && f["retryable"] == true {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("60 messages at once were all accepted")
		}
	})
}
