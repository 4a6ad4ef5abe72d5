#!/usr/bin/env python3
"""Times pkilint (in-process, validators built once per profile) over the DER certificates
in a directory, the way `lint_cabf_smime_cert lint -d` lints one: profile detected from the
reserved policy OID. Prints one JSON line: {"certificates", "seconds", "per_second",
"with_errors"}.

usage: lint_pkilint.py DIR [LIMIT]   (LIMIT: lint only the first LIMIT files, sorted by name)
"""
import json
import os
import sys
import time

from pkilint import loader, report, validation
from pkilint.cabf import smime
from pkilint.pkix import certificate


def main():
    directory = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    names = sorted(n for n in os.listdir(directory) if n.endswith(".der"))
    if limit is not None:
        names = names[:limit]
    blobs = []
    for n in names:
        with open(os.path.join(directory, n), "rb") as f:
            blobs.append((n, f.read()))
    doc_loader = loader.RFC5280CertificateDocumentLoader()
    validators = {}
    with_errors = 0
    start = time.perf_counter()
    for name, der in blobs:
        cert = doc_loader.load_der_document(der, name)
        v_g = smime.determine_validation_level_and_generation(cert)
        if v_g is None:
            with_errors += 1
            continue
        validator = validators.get(v_g)
        if validator is None:
            validator = certificate.create_pkix_certificate_validator_container(
                smime.create_decoding_validators(),
                smime.create_subscriber_validators(*v_g),
            )
            validators[v_g] = validator
        results = validator.validate(cert.root)
        if report.get_findings_count(results, validation.ValidationFindingSeverity.ERROR):
            with_errors += 1
    seconds = time.perf_counter() - start
    print(json.dumps({
        "certificates": len(blobs),
        "seconds": round(seconds, 3),
        "per_second": round(len(blobs) / seconds, 1) if seconds > 0 else None,
        "with_errors": with_errors,
    }))


if __name__ == "__main__":
    main()
