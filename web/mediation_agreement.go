package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/griddispatch/griddispatch/dispatch"
	"github.com/griddispatch/griddispatch/web/pdfdoc"
)

// The agreement (调解协议书) of a settled attempt, as an A4 PDF from the county's template. The
// owner centre's copy carries the parties' ID-card numbers and phones in full: it is the legal
// document the parties sign, and a court confirming it (司法确认) identifies them by it. Every
// other reader who may print it (a centre the case went to, supervisors above) gets the same
// document with the numbers masked, marked as a copy for reading (docs/mediation.md).

var partyRoleZh = map[dispatch.PartyRole]string{dispatch.PartyApplicant: "申请人", dispatch.PartyRespondent: "被申请人",
	dispatch.PartyOther: "第三人"}

// agreementValues are the placeholders' values for an attempt (dispatch.Placeholders).
func agreementValues(m dispatch.Mediation) map[string]string {
	var parties []string
	for _, p := range m.Parties {
		line := partyRoleZh[p.Role] + "：" + p.Name
		if p.IDNumber != "" {
			line += "，公民身份号码：" + p.IDNumber
		}
		if p.Phone != "" {
			line += "，联系电话：" + p.Phone
		}
		parties = append(parties, line)
	}
	mediators := make([]string, len(m.Mediators))
	for i, x := range m.Mediators {
		mediators[i] = x.Name
	}
	date := ""
	if m.SettledOn != nil {
		date = fmt.Sprintf("%d年%d月%d日", m.SettledOn.Year(), m.SettledOn.Month(), m.SettledOn.Day())
	}
	orNone := func(s string) string {
		if s == "" {
			return "无"
		}
		return s
	}
	return map[string]string{"centre": m.CentreName, "case_code": agreementCode(m), "parties": strings.Join(parties, "\n"),
		"facts": orNone(m.Facts), "claims": orNone(m.Claims), "terms": m.Terms, "mediators": strings.Join(mediators, "、"), "date": date}
}

// WriteAgreementPDF writes the agreement of m from template t in font.
func WriteAgreementPDF(w io.Writer, m dispatch.Mediation, t dispatch.AgreementTemplate, font *pdfdoc.Font) error {
	values := agreementValues(m)
	title := dispatch.Fill(t.Title, values)
	doc, err := pdfdoc.New(font, pdfdoc.Meta{Title: title + " " + values["case_code"], Author: m.CentreName, Subject: values["case_code"],
		Lang: "zh-CN", Created: time.Now(), Footer: func(n, total int) string { return fmt.Sprintf("第 %d 页 / 共 %d 页", n, total) }})
	if err != nil {
		return err
	}
	doc.Title(title)
	if !m.Owned {
		doc.Subtitle("查阅副本：当事人的公民身份号码和联系电话已部分隐去")
	}
	doc.Space(2)
	for _, line := range strings.Split(dispatch.Fill(t.Body, values), "\n") {
		if strings.TrimSpace(line) == "" {
			doc.Space(3)
			continue
		}
		doc.Paragraph(line, false)
	}
	_, err = doc.WriteTo(w)
	return err
}

// handleAgreementPDF: GET /api/cases/{id}/mediations/{mid}/agreement.pdf -> the agreement of a
// settled attempt; numbers in full for the owner centre only.
func (s *Server) handleAgreementPDF(w http.ResponseWriter, r *http.Request) {
	if err := s.agreementPDF(w, r); err != nil {
		writeError(w, s.logger, err)
	}
}

func (s *Server) agreementPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r.PathValue("mid"), "mediation record")
	if err != nil {
		return err
	}
	m, err := s.mediation(r, id)
	if err != nil {
		return err
	}
	if m.Outcome != dispatch.MediationSettled {
		return dispatch.ErrNotSettled
	}
	t, err := s.mediations.Template(r.Context())
	if err != nil {
		return err
	}
	font, err := s.pdfFont.get()
	if err != nil {
		return err
	}
	select {
	case s.pdfFont.slots <- struct{}{}:
		defer func() { <-s.pdfFont.slots }()
	case <-r.Context().Done():
		return r.Context().Err()
	}
	var buf bytes.Buffer
	if err := WriteAgreementPDF(&buf, m, t, font); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="agreement-%d-%d.pdf"`, m.CaseID, m.Seq))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}
