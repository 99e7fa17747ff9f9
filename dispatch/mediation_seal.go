package dispatch

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The parties' ID-card numbers and phones are sealed with AES-256-GCM before they are stored
// (migration mediation_parties): the key lives in a file outside the database, so a dump of the
// database, or a replica, holds only the masked forms. Several processes serving one database
// share the key file as they share the photos directory.

// SealKeyBytes is the size of the key: AES-256.
const SealKeyBytes = 32

// sealer seals and opens the parties' numbers.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (sealer, error) {
	if len(key) != SealKeyBytes {
		return sealer{}, fmt.Errorf("the personal-data key has %d bytes; want %d", len(key), SealKeyBytes)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

// seal returns nonce || ciphertext, or nil for "". what binds it to its column, so a sealed ID
// number cannot be passed off as a phone.
func (s sealer) seal(what, plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(plain), []byte(what))
}

func (s sealer) open(what string, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed value too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(what))
	if err != nil {
		return "", fmt.Errorf("a sealed %s does not open with this key (is --pii-key-file the one it was sealed with?)", what)
	}
	return string(plain), nil
}

// LoadSealKey reads the personal-data key (64 hex digits) from path, creating it with a fresh
// random key, readable by its owner only, when there is none yet.
func LoadSealKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, SealKeyBytes)
		_, _ = rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("personal-data key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) { // another process made it first
			return LoadSealKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("personal-data key: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("personal-data key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("personal-data key: %w", err)
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("personal-data key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != SealKeyBytes {
		return nil, fmt.Errorf("personal-data key %s: want %d hex digits", path, 2*SealKeyBytes)
	}
	return key, nil
}
