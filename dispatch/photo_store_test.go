package dispatch_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/griddispatch/griddispatch/dispatch"
)

// The same image uploaded by two grid workers (a picture forwarded between them) is stored once
// and is each one's own to attach; a third member who never uploaded it may not.
func TestTheSamePhotoFromTwoMembers(t *testing.T) {
	t.Parallel()
	fx := newIntake(t)
	ctx := context.Background()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photos := dispatch.NewPhotos(t.TempDir(), fx.db.Pool)
	first, err := photos.Save(ctx, fx.worker.ID, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r := fx.report(t)
	r.ReporterID, r.Photos = fx.other.ID, []string{first.SHA256}
	if _, err := fx.intake.Submit(ctx, r); err == nil {
		t.Fatal("a member attached a photo they never uploaded")
	}
	second, err := photos.Save(ctx, fx.other.ID, buf.Bytes())
	if err != nil || second.SHA256 != first.SHA256 {
		t.Fatalf("second upload: %+v %v", second, err)
	}
	r.ClientID = uuid(t)
	if _, err := fx.intake.Submit(ctx, r); err != nil {
		t.Fatalf("the second uploader's report: %v", err)
	}
	if n := count(t, fx.db.Pool, `SELECT count(*) FROM photos`); n != 1 {
		t.Fatalf("%d photo rows for one image", n)
	}
	if _, _, err := photos.Open(ctx, first.SHA256, fx.other.ID); err != nil {
		t.Fatalf("the second uploader cannot see it: %v", err)
	}
}
