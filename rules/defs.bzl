"""Public API of rules_distill: load everything from here.

The pipeline: declared inputs → `image_layer` → `distroless_image` (config + manifest → OCI layout)
→ `<name>.tar` (docker-archive) / `<name>.load` / `<name>.push`.
"""

load("//rules/private:base.bzl", _distroless_base_layer = "distroless_base_layer")
load("//rules/private:cacerts.bzl", _ca_certificates_layer = "ca_certificates_layer")
load("//rules/private:deb.bzl", _deb_layer = "deb_layer")
load("//rules/private:debian_lock.bzl", _debian_lock = "debian_lock")
load("//rules/private:distroless_image.bzl", _distroless_image = "distroless_image")
load("//rules/private:group.bzl", _layer_group = "layer_group")
load("//rules/private:image_test.bzl", _image_test = "image_test")
load("//rules/private:index.bzl", _ImageIndexInfo = "ImageIndexInfo", _image_index = "image_index")
load("//rules/private:kubernetes.bzl", _kubernetes_manifest = "kubernetes_manifest", _kubernetes_manifest_test = "kubernetes_manifest_test")
load("//rules/private:lang.bzl", _cc_image = "cc_image", _go_image = "go_image", _java_image = "java_image", _nodejs_image = "nodejs_image", _python3_image = "python3_image")
load("//rules/private:layer.bzl", _image_layer = "image_layer")
load("//rules/private:ldcache.bzl", _ld_so_cache_layer = "ld_so_cache_layer")
load("//rules/private:providers.bzl", _DebInfo = "DebInfo", _ImageInfo = "ImageInfo", _LayerInfo = "LayerInfo", _LayersInfo = "LayersInfo")
load("//rules/private:sbom.bzl", _image_sbom = "image_sbom")
load("//rules/private:toolchain.bzl", _distill_toolchain = "distill_toolchain")

distroless_image = _distroless_image
image_index = _image_index
image_layer = _image_layer
image_test = _image_test
image_sbom = _image_sbom
deb_layer = _deb_layer
distroless_base_layer = _distroless_base_layer
ca_certificates_layer = _ca_certificates_layer
ld_so_cache_layer = _ld_so_cache_layer
layer_group = _layer_group
debian_lock = _debian_lock
kubernetes_manifest = _kubernetes_manifest
kubernetes_manifest_test = _kubernetes_manifest_test
distill_toolchain = _distill_toolchain
ImageInfo = _ImageInfo
ImageIndexInfo = _ImageIndexInfo
LayerInfo = _LayerInfo
LayersInfo = _LayersInfo
DebInfo = _DebInfo
python3_image = _python3_image
go_image = _go_image
cc_image = _cc_image
java_image = _java_image
nodejs_image = _nodejs_image
