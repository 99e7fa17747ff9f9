package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
)

// signInParallel is how many sign-ins run at once: bcrypt keeps the server's cores busy with a
// few, and more would only queue.
const signInParallel = 4

// cachedSession is a token kept in --sessions-file.
type cachedSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// signIn gives every member a token, from the sessions file when it has a live one, else through
// the server's real POST /api/sessions.
func signIn(ctx context.Context, cfg Config, members []*member) (signedIn int, err error) {
	cache, err := readSessions(cfg.SessionsFile)
	if err != nil {
		return 0, err
	}
	var todo []*member
	for _, m := range members {
		if s, ok := cache[m.Phone]; ok && time.Until(s.ExpiresAt) > time.Hour {
			m.Token = s.Token
			continue
		}
		todo = append(todo, m)
	}
	fresh := make([]cachedSession, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(signInParallel)
	client := &http.Client{Timeout: 30 * time.Second}
	for i, m := range todo {
		g.Go(func() error {
			s, err := postSession(gctx, client, cfg.URL, m.Phone, cfg.Password)
			if err != nil {
				return fmt.Errorf("sign in %s: %w", m.Phone, err)
			}
			m.Token, fresh[i] = s.Token, s
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if cfg.SessionsFile != "" && len(todo) > 0 {
		for i, m := range todo {
			cache[m.Phone] = fresh[i]
		}
		if err := writeSessions(cfg.SessionsFile, cache); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

func postSession(ctx context.Context, client *http.Client, base, phone, password string) (cachedSession, error) {
	body, err := json.Marshal(map[string]string{"phone": phone, "password": password})
	if err != nil {
		return cachedSession{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/sessions", bytes.NewReader(body))
	if err != nil {
		return cachedSession{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return cachedSession{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return cachedSession{}, err
	}
	if resp.StatusCode != http.StatusCreated {
		return cachedSession{}, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var s cachedSession
	if err := json.Unmarshal(b, &s); err != nil || s.Token == "" {
		return cachedSession{}, fmt.Errorf("answer without a token: %s", b)
	}
	return s, nil
}

func readSessions(path string) (map[string]cachedSession, error) {
	cache := map[string]cachedSession{}
	if path == "" {
		return cache, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cache, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--sessions-file: %w", err)
	}
	if err := json.Unmarshal(b, &cache); err != nil {
		return nil, fmt.Errorf("--sessions-file %s: %w (delete it to sign in afresh)", path, err)
	}
	return cache, nil
}

// writeSessions replaces the file whole, readable only by its owner: it holds live tokens.
func writeSessions(path string, cache map[string]cachedSession) error {
	b, err := json.Marshal(cache)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("--sessions-file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--sessions-file: %w", err)
	}
	return nil
}
