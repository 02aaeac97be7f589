from django import forms
from django.utils.translation import gettext_lazy as _


class FormationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Allocation file (.csv or .xlsx)"),
        help_text=_(
            "Columns: kode_formasi, jenis_pengadaan, jenis_formasi, jabatan, "
            "kualifikasi_pendidikan (several separated by ;), unit_penempatan, kuota, and "
            "optionally kategori_jabatan. The import replaces the current allocation; "
            "nothing is saved if any row is wrong."
        ),
    )
