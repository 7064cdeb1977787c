#!/usr/bin/env bash
# Debian packages the project uses at run time: Tesseract with its Indonesian model for OCR of
# scanned PDF pages, poppler-utils (pdftoppm) for the OCR benchmark. Installed when missing and
# we are root (CI, fresh machines); otherwise says how. Without them OCR is skipped with a
# message naming the pages.
set -euo pipefail
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx ind || need+=(tesseract-ocr-ind)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || \
    echo "Paket ${need[*]} gagal dipasang: OCR dilewati sampai dipasang." >&2
else
  echo "OCR memerlukan: sudo apt-get install -y ${need[*]} (tanpa itu, halaman hasil pindai dilewati)." >&2
fi
