// Package toms builds the technical and organisational measures (TOMs)
// document and the data processing agreement (DPA) from evaluated results,
// renders them as PDF in English or German, and signs them.
//
// A measure is stated as in place only when its control passed: either
// verified automatically from collected evidence, or attested by a person
// whose attestation has not expired. Everything else is listed as not
// verified, or left out on request. The texts come from templates/toms.
package toms
