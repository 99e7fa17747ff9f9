package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		replicas int
		natsURL  string
		wantErr  string // empty: valid
	}{
		{name: "embedded, one replica", replicas: 1},
		{name: "cluster, three replicas", replicas: 3, natsURL: "nats://n1:4222,nats://n2:4222"},
		{name: "embedded cannot replicate", replicas: 3, wantErr: "needs an external NATS cluster"},
		{name: "zero", replicas: 0, natsURL: "nats://n1:4222", wantErr: "want 1 to 5"},
		{name: "more than JetStream allows", replicas: 7, natsURL: "nats://n1:4222", wantErr: "want 1 to 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.NATSReplicas, cfg.NATSURL = tt.replicas, tt.natsURL
			err := cfg.validate()
			if tt.wantErr == "" && err != nil {
				t.Fatalf("validate: %v; want no error", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("validate: %v; want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestPhotosDirDefaultsUnderDataDir(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.DataDir = "/var/lib/griddispatch"
	if got, want := cfg.photosDir(), filepath.Join("/var/lib/griddispatch", "photos"); got != want {
		t.Fatalf("photos dir %q; want %q", got, want)
	}
	cfg.PhotosDir = "/mnt/shared/photos"
	if got := cfg.photosDir(); got != "/mnt/shared/photos" {
		t.Fatalf("photos dir %q; want the flag's /mnt/shared/photos", got)
	}
}

func TestPIIKeyFileDefaultsUnderDataDir(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.DataDir = "/var/lib/griddispatch"
	if got, want := cfg.piiKeyFile(), filepath.Join("/var/lib/griddispatch", "pii.key"); got != want {
		t.Fatalf("key file %q; want %q", got, want)
	}
	cfg.PIIKeyFile = "/mnt/shared/pii.key"
	if got := cfg.piiKeyFile(); got != "/mnt/shared/pii.key" {
		t.Fatalf("key file %q; want the flag's", got)
	}
}
