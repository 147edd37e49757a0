// Package cacerts is `distill cacerts`: the ca-certificates package in, the layer of its CA bundle (and Java keystore) and the layer's descriptor out.
package cacerts
