// SM2 CMS with BouncyCastle, the independent checker of tests/cli/sm2.sh:
//   java Sm2Bc verify SIG.p7s CONTENT      verify every SignerInfo of a
//                                          detached CMS over CONTENT
//   java Sm2Bc sign KEY.pem CERT.pem CONTENT OUT.p7s [gmt]
//                                          make a detached SM3withSM2 CMS
//                                          (gmt: GM/T 0010 data content type)
// BouncyCastle's SM3withSM2 uses the default ID 1234567812345678.
// SPDX-License-Identifier: AGPL-3.0-or-later
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public class Sm2Bc {
    static Object readPem(String path) throws Exception {
        try (PEMParser p = new PEMParser(new FileReader(path))) {
            return p.readObject();
        }
    }

    static int verify(String sigPath, String contentPath) throws Exception {
        byte[] sig = Files.readAllBytes(Paths.get(sigPath));
        byte[] content = Files.readAllBytes(Paths.get(contentPath));
        CMSSignedData sd = new CMSSignedData(new CMSProcessableByteArray(content), sig);
        int n = 0;
        for (SignerInformation si : sd.getSignerInfos().getSigners()) {
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> certs = sd.getCertificates().getMatches(si.getSID());
            if (certs.isEmpty()) {
                System.out.println("BC: no signer certificate");
                return 1;
            }
            X509CertificateHolder c = certs.iterator().next();
            boolean ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(c));
            System.out.println("BC: " + (ok ? "verified" : "NOT verified") + " " + si.getDigestAlgOID()
                               + " " + si.getEncryptionAlgOID() + " " + c.getSubject());
            if (!ok)
                return 1;
            n++;
        }
        return n > 0 ? 0 : 1;
    }

    static int sign(String keyPath, String certPath, String contentPath, String out, boolean gmt)
        throws Exception {
        PrivateKey key = new JcaPEMKeyConverter().setProvider("BC")
                             .getPrivateKey((PrivateKeyInfo)readPem(keyPath));
        X509CertificateHolder holder = (X509CertificateHolder)readPem(certPath);
        X509Certificate cert = new JcaX509CertificateConverter().setProvider("BC").getCertificate(holder);
        ContentSigner signer = new JcaContentSignerBuilder("SM3withSM2").setProvider("BC").build(key);
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(
            new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().setProvider("BC").build())
                .build(signer, cert));
        gen.addCertificates(new JcaCertStore(Collections.singletonList(cert)));
        byte[] content = Files.readAllBytes(Paths.get(contentPath));
        CMSProcessableByteArray msg = gmt
            ? new CMSProcessableByteArray(new ASN1ObjectIdentifier("1.2.156.10197.6.1.4.2.1"), content)
            : new CMSProcessableByteArray(content);
        CMSSignedData sd = gen.generate(msg, false);
        Files.write(Paths.get(out), sd.getEncoded("DER"));
        return 0;
    }

    public static void main(String[] a) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (a.length == 3 && a[0].equals("verify"))
            System.exit(verify(a[1], a[2]));
        if ((a.length == 5 || a.length == 6) && a[0].equals("sign"))
            System.exit(sign(a[1], a[2], a[3], a[4], a.length == 6 && a[5].equals("gmt")));
        System.err.println("usage: Sm2Bc verify SIG.p7s CONTENT | sign KEY CERT CONTENT OUT [gmt]");
        System.exit(2);
    }
}
