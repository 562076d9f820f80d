# packaging.mk — what an embedder installs (README "Install",
# docs/c-api.md): libweft.so beside libweft.a, the wasm.h layer as
# libweft-wasm.so beside libweft-wasm.a, `make install` and pkg-config files.
#
# Library objects are compiled position-independent so that one set of
# objects makes both the archive and the shared object. Everything is still
# -fvisibility=hidden; only declarations marked WEFT_API (include/*.h) and
# WASM_API_EXTERN (include/wasm.h) are exported, and
# -fno-semantic-interposition keeps calls between library functions direct.
$(LIB_OBJ) $(CAPI_OBJ): CFLAGS += -fPIC -fno-semantic-interposition

# The version comes from include/weft.h alone; the SONAME carries the major.
weft_ver = $(shell sed -n 's/^\#define WEFT_VERSION_$(1) \([0-9]*\)$$/\1/p' \
             include/weft.h)
WEFT_MAJOR := $(call weft_ver,MAJOR)
WEFT_FULL_VERSION := $(WEFT_MAJOR).$(call weft_ver,MINOR).$(call weft_ver,PATCH)

# An unresolved symbol in a shared object is an error, except in sanitizer
# builds (EXTRA_LDFLAGS), where the runtime comes from the program.
SO_LDFLAGS ?= $(if $(EXTRA_LDFLAGS),,-Wl,--no-undefined)

WEFT_SO := $(BUILD)/libweft.so.$(WEFT_FULL_VERSION)
WEFT_WASM_SO := $(BUILD)/libweft-wasm.so.$(WEFT_FULL_VERSION)

.PHONY: shared install uninstall
shared: $(WEFT_SO) $(WEFT_WASM_SO)
# Linking them reuses the library's objects, so every build makes them.
all: shared

# so_links LIB: libLIB.so.MAJOR and libLIB.so beside the real file.
so_links = ln -sf lib$(1).so.$(WEFT_FULL_VERSION) $(BUILD)/lib$(1).so.$(WEFT_MAJOR) && \
           ln -sf lib$(1).so.$(WEFT_MAJOR) $(BUILD)/lib$(1).so

$(WEFT_SO): $(LIB_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libweft.so.$(WEFT_MAJOR) $(SO_LDFLAGS) \
	  -o $@ $^ $(LDFLAGS) -lm
	$(call so_links,weft)

# The wasm.h layer links against libweft.so (its only dependency), so a
# program using both APIs has one copy of the runtime.
$(WEFT_WASM_SO): $(CAPI_OBJ) $(WEFT_SO)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libweft-wasm.so.$(WEFT_MAJOR) \
	  $(SO_LDFLAGS) -o $@ $(CAPI_OBJ) -L$(BUILD) -lweft $(LDFLAGS) -lm
	$(call so_links,weft-wasm)

WEFT_PUBLIC_HEADERS := $(wildcard include/*.h)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install

# pc_file NAME DESCRIPTION REQUIRES LIB: a pkg-config file for PREFIX.
# Headers go to INCLUDEDIR/weft, which Cflags names, so programs say
# #include "weft.h" or "wasm.h" as in the tree.
pc_file = { printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\n' \
              '$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)'; \
            printf 'Name: %s\nDescription: %s\nVersion: %s\n' \
              '$(1)' '$(2)' '$(WEFT_FULL_VERSION)'; \
            $(if $(3),printf 'Requires: %s\n' '$(3)';) \
            printf 'Cflags: -I$${includedir}/weft\nLibs: -L$${libdir} -l%s\n' '$(4)'; \
            printf 'Libs.private: -lm\n'; }

# Remade every time: PREFIX and LIBDIR are not file dependencies.
$(BUILD)/pc/weft.pc: FORCE
	@mkdir -p $(dir $@)
	@$(call pc_file,weft,WebAssembly runtime library,,weft) > $@
$(BUILD)/pc/weft-wasm.pc: FORCE
	@mkdir -p $(dir $@)
	@$(call pc_file,weft-wasm,the standard WebAssembly C API (wasm.h) on weft,weft,weft-wasm) > $@
FORCE:

# make install [PREFIX=/usr/local] [DESTDIR=staging]: headers under
# INCLUDEDIR/weft, both libraries static and shared (with their SONAME
# links), the weft binary, its man page and the pkg-config files.
install: $(BUILD)/weft $(BUILD)/libweft.a $(BUILD)/libweft-wasm.a \
         $(BUILD)/libweft-aotbuild.a shared \
         $(BUILD)/pc/weft.pc $(BUILD)/pc/weft-wasm.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(INCLUDEDIR)/weft $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(WEFT_PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/weft/
	$(INSTALL) -m 644 $(BUILD)/libweft.a $(BUILD)/libweft-wasm.a \
	  $(BUILD)/libweft-aotbuild.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(WEFT_SO) $(WEFT_WASM_SO) $(DESTDIR)$(LIBDIR)/
	for l in weft weft-wasm; do \
	  ln -sf lib$$l.so.$(WEFT_FULL_VERSION) $(DESTDIR)$(LIBDIR)/lib$$l.so.$(WEFT_MAJOR) && \
	  ln -sf lib$$l.so.$(WEFT_MAJOR) $(DESTDIR)$(LIBDIR)/lib$$l.so || exit 1; \
	done
	$(INSTALL) -m 755 $(BUILD)/weft $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 docs/weft.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 $(BUILD)/pc/weft.pc $(BUILD)/pc/weft-wasm.pc $(DESTDIR)$(PKGCONFIGDIR)/

uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/weft
	rm -f $(DESTDIR)$(BINDIR)/weft $(DESTDIR)$(MANDIR)/man1/weft.1 \
	  $(DESTDIR)$(PKGCONFIGDIR)/weft.pc $(DESTDIR)$(PKGCONFIGDIR)/weft-wasm.pc
	for l in weft weft-wasm; do \
	  rm -f $(DESTDIR)$(LIBDIR)/lib$$l.a $(DESTDIR)$(LIBDIR)/lib$$l.so \
	    $(DESTDIR)$(LIBDIR)/lib$$l.so.$(WEFT_MAJOR) \
	    $(DESTDIR)$(LIBDIR)/lib$$l.so.$(WEFT_FULL_VERSION); \
	done
