package apihttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNegotiateRatesJSONAndXMLByAccept(t *testing.T) {
	for _, c := range []struct {
		accept []string
		want   answer
	}{
		{nil, answerJSON},
		{[]string{""}, answerJSON},
		{[]string{"application/xml"}, answerXML},
		{[]string{"application/json"}, answerJSON},
		{[]string{"*/*"}, answerJSON},
		{[]string{"application/*"}, answerJSON},
		{[]string{"APPLICATION/XML; charset=utf-8"}, answerXML},
		{[]string{"application/xml;q=0.9, application/json"}, answerJSON},
		{[]string{"application/json;q=0.5, application/xml"}, answerXML},
		{[]string{"application/xml, application/json"}, answerXML},
		{[]string{"application/json, application/xml"}, answerJSON},
		{[]string{"text/html, application/xml;q=0.1"}, answerXML},
		{[]string{"application/xml;q=0.9, */*"}, answerJSON},
		{[]string{"*/*, application/xml;q=1"}, answerXML},
		{[]string{"application/*;q=0.2, application/xml;q=0.3"}, answerXML},
		{[]string{"application/xml;q=0, */*"}, answerJSON},
		{[]string{"application/json;q=0, */*"}, answerXML},
		{[]string{"text/html"}, answerNone},
		{[]string{"text/xml"}, answerNone},
		{[]string{"application/json;q=0, application/xml;q=0"}, answerNone},
		{[]string{"application/xml;q=abc"}, answerNone},
		{[]string{"application/xml;q=1.5"}, answerNone},
		{[]string{"application/json;q=NaN"}, answerNone},
		{[]string{"application/json;q=Inf"}, answerNone},
		{[]string{"application/json;q=0x1p-1"}, answerNone},
		{[]string{"application/json;q=0.0001"}, answerNone},
		{[]string{"application/json;q=1.001"}, answerNone},
		{[]string{"application/json;q=1.000"}, answerJSON},
		{[]string{"application/json;q=0.001"}, answerJSON},
		{[]string{"application/json;q=1."}, answerJSON},
		{[]string{"application/xml; level=1; Q=0.001"}, answerXML},
		{[]string{"text/html", "application/xml"}, answerXML},
		{[]string{" , ;q=1"}, answerJSON},
		{[]string{"application/*, application/xml"}, answerXML},
		{[]string{"application/xml;q=0.5, application/*;q=0.5"}, answerXML},
		{[]string{"application/json;q=0.5, application/*;q=0.5"}, answerJSON},
	} {
		assert.Equal(t, c.want, negotiate(c.accept), "%q", c.accept)
	}
}
