package subprocessors

import "strings"

// countries are the officially assigned ISO 3166-1 alpha-2 codes.
var countries = strings.Fields(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`)

// eea are the member states of the European Economic Area: the 27 EU
// member states, Iceland, Liechtenstein and Norway.
var eea = strings.Fields(`AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO`)

// adequate are the countries and territories with an adequacy decision of
// the European Commission under Art. 45 GDPR (or Directive 95/46/EC still
// in force), except the United States, whose decision covers only
// organisations certified under the EU-US Data Privacy Framework. Canada's
// decision covers commercial organisations subject to PIPEDA.
var adequate = strings.Fields(`AD AR CA CH FO GB GG IL IM JE JP KR NZ UY`)

func isCountry(code string) bool { return contains(countries, code) }

// InEEA reports whether location is EEA or an EEA member state.
func InEEA(location string) bool { return location == EEA || contains(eea, location) }

// Adequate reports whether the European Commission has found the country
// adequate (see adequate; the United States are not, on their own).
func Adequate(code string) bool { return contains(adequate, code) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
