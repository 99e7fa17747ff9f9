package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
)

// BulletinRatings lists the week's flags and stars awarded, removed and restored
// (docs/ratings.md); dispatch.Ratings is one.
type BulletinRatings interface {
	Changes(ctx context.Context, unit string, from, to time.Time) ([]dispatch.RatingChange, error)
}

// maxRatingChangesSaid bounds the summary's list; the JSON's ratings list them all.
const maxRatingChangesSaid = 10

// ratingSentence is the summary's sentence on the week's ratings: each mark awarded, removed
// (with its reason) or restored, in order; nothing when none changed.
func (b *Bulletin) ratingSentence() string {
	if len(b.Ratings) == 0 {
		return ""
	}
	var parts []string
	for i, c := range b.Ratings {
		if i == maxRatingChangesSaid {
			break
		}
		if b.Lang == "en" {
			p := fmt.Sprintf("%s %s %s", c.UnitName, map[string]string{"award": "was awarded", "remove": "lost", "restore": "had restored"}[c.Action], c.MarkName)
			if c.Action == "remove" && c.Reason != "" {
				p += " (" + c.Reason + ")"
			}
			parts = append(parts, p)
			continue
		}
		p := c.UnitName + map[string]string{"award": "授予", "remove": "摘除", "restore": "恢复"}[c.Action] + c.MarkName
		if c.Action == "remove" && c.Reason != "" {
			p += "（" + c.Reason + "）"
		}
		parts = append(parts, p)
	}
	more := len(b.Ratings) - len(parts)
	if b.Lang == "en" {
		s := " Ratings this week: " + strings.Join(parts, "; ")
		if more > 0 {
			s += fmt.Sprintf("; and %d more", more)
		}
		return s + "."
	}
	s := "本周评星定级：" + strings.Join(parts, "；")
	if more > 0 {
		s += fmt.Sprintf("等%d项", len(b.Ratings))
	}
	return s + "。"
}
