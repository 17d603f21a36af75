SUMMARY = "Local Mosquitto broker configured for the Edge Appliance"
DESCRIPTION = "Configures the Mosquitto broker from meta-networking for the appliance: \
a loopback-only listener with persistence, started before the daemon."
HOMEPAGE = "https://mosquitto.org"
SECTION = "net"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "\
    file://mosquitto-appliance.conf \
    file://mosquitto-dropin.conf \
    file://mosquitto-tmpfiles.conf \
"

S = "${WORKDIR}"

inherit allarch

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${sysconfdir}/mosquitto
    install -m 0644 ${S}/mosquitto-appliance.conf ${D}${sysconfdir}/mosquitto/appliance.conf
    install -d ${D}${systemd_system_unitdir}/mosquitto.service.d
    install -m 0644 ${S}/mosquitto-dropin.conf ${D}${systemd_system_unitdir}/mosquitto.service.d/appliance.conf
    install -d ${D}${nonarch_libdir}/tmpfiles.d
    install -m 0644 ${S}/mosquitto-tmpfiles.conf ${D}${nonarch_libdir}/tmpfiles.d/mosquitto-appliance.conf
}

FILES:${PN} += "${systemd_system_unitdir}/mosquitto.service.d ${nonarch_libdir}/tmpfiles.d"

RDEPENDS:${PN} = "mosquitto"
