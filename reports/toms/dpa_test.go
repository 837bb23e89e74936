package toms

import (
	"strings"
	"testing"
)

func TestRenderDPAText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, customer string
		want           []string
	}{
		{lang: "en", customer: "Kunde AG", want: []string{
			"Data Processing Agreement", "Kunde AG (the controller)",
			"Müller & Söhne Datenverarbeitung GmbH, Große Straße 1, 80331 München, Deutschland (the processor)",
			"Subprocessors", "For the controller", "Place, date, signature",
			"Annex 1: Technical and organisational measures", "Transfer control",
			"In place: verified automatically on 23 November 2026 (tls.endpoint, 2 checked)",
			"Annex 2: Subprocessors", "EU-US Data Privacy Framework, SCCs",
			`"Verified automatically" means the configuration was read from the system itself on that date`,
			"In place: attested by Lena Probe (CTO) on 27 June 2026, valid until 27 June 2027",
		}},
		{lang: "de", want: []string{
			"Auftragsverarbeitungsvertrag", "________________________________________ (Verantwortlicher)",
			"(Auftragsverarbeiter)", "Verletzungen des Schutzes personenbezogener Daten",
			"Für den Auftragsverarbeiter", "Anlage 1: Technische und organisatorische Maßnahmen",
			"Weitergabekontrolle", "Umgesetzt: bestätigt von Jürgen Weiß (HR) am 31. März 2026, gültig bis 31. März 2027",
			"Anlage 2: Unterauftragsverarbeiter", "Übermittlungsgrundlage",
			"„Automatisch geprüft“ heißt: Die Konfiguration wurde an diesem Tag direkt im System gelesen",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			pdf, err := RenderDPA(buildTest(t, tt.lang, false), tt.customer)
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, pdf)
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("DPA text lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("DPA text:\n%s", text)
			}
		})
	}
}
