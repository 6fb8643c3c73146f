package randaverify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Person is who a NIN belongs to: a fixture person (the fixture set's people), or one generated from
// the NIN for any other valid NIN, the same every time. A fixture person needs only a NIN, names, a
// date of birth and a gender (omitempty marks the rest optional, as in control.yaml).
type Person struct {
	NIN             string `json:"nin"`
	FirstName       string `json:"fname"`
	MiddleName      string `json:"mname,omitempty"`
	LastName        string `json:"lname"`
	DateOfBirth     string `json:"dob"` // DD-MM-YYYY
	Phone           string `json:"phone,omitempty"`
	Gender          string `json:"gender"`
	ResidenceStreet string `json:"residence_address,omitempty"`
	ResidenceTown   string `json:"residence_town,omitempty"`
	ResidenceLGA    string `json:"residence_lga,omitempty"`
	ResidenceState  string `json:"residence_state,omitempty"`
	StateOfOrigin   string `json:"state_of_origin,omitempty"`
	LGAOfOrigin     string `json:"lga_of_origin,omitempty"`
	MaidenName      string `json:"maiden_name,omitempty"`
}

// ninData is the verification data of a NIN (docs.randaverify.com /verification/standard/).
type ninData struct {
	TransactionID   string `json:"transaction_id"`
	ReferenceID     string `json:"reference_id"`
	NIN             string `json:"nin"`
	TrackingID      string `json:"tracking_id"`
	FirstName       string `json:"fname"`
	MiddleName      string `json:"mname,omitempty"`
	LastName        string `json:"lname"`
	DateOfBirth     string `json:"dob"`
	Phone           string `json:"phone,omitempty"`
	Gender          string `json:"gender"`
	ResidenceStreet string `json:"residenceAdress"` // sic: the vendor's spelling
	ResidenceTown   string `json:"residenceTown"`
	ResidenceLGA    string `json:"residenceLga"`
	ResidenceState  string `json:"residenceState"`
	StateOfOrigin   string `json:"stateOfOrigin"`
	LGAOfOrigin     string `json:"lgaOfOrigin"`
	MaidenName      string `json:"maidenName"`
	Image           string `json:"image"`
}

// validNIN reports whether s is a NIN: exactly 11 ASCII digits.
func validNIN(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// person returns who a valid NIN belongs to: a fixture person, else a generated one.
func (m *Mock) person(ctx context.Context, nin string) (Person, error) {
	p, err := store.Get[Person](ctx, m.env.Store, kindPerson, nin)
	if errors.Is(err, store.ErrNotFound) {
		return generatedPerson(nin), nil
	}
	return p, err
}

// data is the verification data of p for one call: its reference and transaction id are the call's,
// everything else is the person's, and the same on every call.
func (p Person) data(nin, reference string) ninData {
	seed := sha256.Sum256([]byte("tracking:" + nin))
	return ninData{
		TransactionID: "TXN-" + reference[len("REF-"):], ReferenceID: reference, NIN: nin,
		TrackingID: strings.ToUpper(hex.EncodeToString(seed[:8]))[:15],
		FirstName:  p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName, DateOfBirth: p.DateOfBirth, Phone: p.Phone,
		Gender: p.Gender, ResidenceStreet: p.ResidenceStreet, ResidenceTown: p.ResidenceTown, ResidenceLGA: p.ResidenceLGA,
		ResidenceState: p.ResidenceState, StateOfOrigin: p.StateOfOrigin, LGAOfOrigin: p.LGAOfOrigin, MaidenName: p.MaidenName,
		Image: portrait(nin),
	}
}

// Names and places a generated person is made of.
var (
	femaleNames = []string{"Adaeze", "Chiamaka", "Folasade", "Hauwa", "Ngozi", "Temitope", "Zainab", "Bukola"}
	maleNames   = []string{"Babatunde", "Chinedu", "Emeka", "Ibrahim", "Kunle", "Musa", "Olumide", "Tunde"}
	lastNames   = []string{"Adebayo", "Bello", "Eze", "Okafor", "Okonkwo", "Olawale", "Suleiman", "Uchenna"}
	places      = []struct{ state, lga, town, street string }{
		{"Lagos", "Ikeja", "Ikeja", "12 Allen Avenue"},
		{"Lagos", "Eti-Osa", "Lekki", "4 Admiralty Way"},
		{"FCT", "Municipal Area Council", "Garki", "7 Ahmadu Bello Way"},
		{"Kano", "Nassarawa", "Kano", "21 Zoo Road"},
		{"Rivers", "Port Harcourt", "Port Harcourt", "9 Aba Road"},
		{"Oyo", "Ibadan North", "Ibadan", "3 Bodija Road"},
		{"Enugu", "Enugu North", "Enugu", "15 Ogui Road"},
		{"Kaduna", "Kaduna North", "Kaduna", "30 Ahmadu Bello Way"},
	}
)

// generatedPerson makes a person from a NIN: the NIN's hash picks every field, so the same NIN always
// gives the same person and different NINs (almost always) different ones.
func generatedPerson(nin string) Person {
	h := sha256.Sum256([]byte("person:" + nin))
	pick := func(i int, n int) int { return int(h[i]) % n }
	female := h[0]%2 == 0
	first, gender := maleNames[pick(1, len(maleNames))], "m"
	if female {
		first, gender = femaleNames[pick(1, len(femaleNames))], "f"
	}
	middle := append(append([]string{}, femaleNames...), maleNames...)[pick(2, 16)]
	home, origin := places[pick(3, len(places))], places[pick(4, len(places))]
	year := 1950 + int(binary.BigEndian.Uint16(h[5:7]))%55
	p := Person{
		NIN: nin, FirstName: first, MiddleName: middle, LastName: lastNames[pick(7, len(lastNames))],
		DateOfBirth: fmt.Sprintf("%02d-%02d-%04d", 1+pick(8, 28), 1+pick(9, 12), year),
		Phone:       fmt.Sprintf("080%08d", binary.BigEndian.Uint32(h[10:14])%100_000_000),
		Gender:      gender, ResidenceStreet: home.street, ResidenceTown: home.town, ResidenceLGA: home.lga, ResidenceState: home.state,
		StateOfOrigin: origin.state, LGAOfOrigin: origin.lga,
	}
	if female && h[14]%2 == 0 {
		p.MaidenName = lastNames[pick(15, len(lastNames))]
	}
	return p
}

// portrait is a small JPEG for a NIN, base64: a flat colour the NIN picks, so an image decoder reads
// it and two people's differ.
func portrait(nin string) string {
	h := sha256.Sum256([]byte("portrait:" + nin))
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	c := color.RGBA{R: h[0], G: h[1], B: h[2], A: 255}
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}) // writing to memory does not fail
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}
