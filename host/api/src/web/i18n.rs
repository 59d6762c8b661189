//! The pages' words in Bahasa Indonesia (the default) and English. Every text a template shows
//! is a field of [`Text`], so a missing translation does not compile; the reasons' messages come
//! from the plugins, which give both languages themselves.

/// A page's language, from the `dwa_lang` cookie (Bahasa Indonesia unless it says `en`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Bahasa Indonesia.
    Id,
    /// English.
    En,
}

impl Lang {
    /// The `lang` attribute and cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// This language's words.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    /// Pick the text of a plugin's bilingual message.
    pub fn pick(self, text: &dwa_sdk::Text) -> String {
        match self {
            Lang::Id => text.id.clone(),
            Lang::En => text.en.clone(),
        }
    }
}

macro_rules! texts {
    ($($key:ident: $id:expr, $en:expr;)*) => {
        /// Every word the pages show, in one language.
        pub struct Text { $(#[allow(missing_docs)] pub $key: &'static str,)* }
        static ID: Text = Text { $($key: $id,)* };
        static EN: Text = Text { $($key: $en,)* };
    };
}

texts! {
    app_name: "MKD Jawa Barat", "DWA West Java";
    skip: "Lewati ke isi", "Skip to content";
    switch_to: "English", "Bahasa Indonesia";
    sign_in: "Masuk", "Sign in";
    sign_out: "Keluar", "Sign out";
    unread: "belum dibaca", "unread";
    sign_in_intro: "Masukkan kode masuk sekali pakai dari BKPSDM atau token API Anda.", "Enter the one-time sign-in code from HR or your API token.";
    sign_in_code: "Kode masuk atau token API", "Sign-in code or API token";
    sign_in_link_intro: "Tautan masuk ini hanya dapat dipakai sekali.", "This sign-in link works once.";
    sign_in_failed: "Kode atau token tidak dikenal, sudah dipakai, atau kedaluwarsa.", "Unknown, used or expired code or token.";
    role_employee: "Pegawai", "Employee";
    role_supervisor: "Atasan langsung", "Supervisor";
    role_hr: "BKPSDM (SDM daerah)", "Regional HR";
    role_policy_admin: "Admin kebijakan", "Policy admin";
    role_provincial_admin: "TI Provinsi", "Provincial IT";
    region: "Wilayah", "Region";
    forbidden_title: "Akses ditolak", "Access refused";
    forbidden_body: "Halaman ini bukan untuk peran Anda.", "This page is not for your role.";
    csrf_title: "Formulir ditolak", "Form refused";
    csrf_body: "Formulir ini tidak membawa token keamanan yang sah. Muat ulang halaman lalu coba lagi.", "This form did not carry a valid security token. Reload the page and try again.";
    error_title: "Terjadi kesalahan", "Something went wrong";
    not_found_title: "Halaman tidak ditemukan", "Page not found";
    back_home: "Kembali ke beranda", "Back to the start page";
    question: "Bisakah saya bekerja dari mana saja triwulan depan?", "May I work from anywhere next quarter?";
    answer_yes: "Ya.", "Yes.";
    answer_not_yet: "Belum.", "Not yet.";
    based_on_application: "Berdasarkan pengajuan Anda", "Based on your application";
    based_on_record: "Berdasarkan data Anda saat ini, bila Anda mengajukan dengan target IKU di atas baseline", "Based on your record today, if you apply with a KPI target above the baseline";
    reasons: "Alasan", "Reasons";
    passed: "Terpenuhi", "Met";
    failed: "Belum terpenuhi", "Not met";
    what_would_change: "Yang dapat mengubahnya", "What would change it";
    what_if: "Bagaimana jika…", "What if…";
    what_if_intro: "Coba ubah jumlah hari, target IKU atau lokasi. Ini dinilai dengan aturan wilayah Anda, tanpa mengajukan.", "Try other days, a KPI target or a location. Your region's rules evaluate it; nothing is submitted.";
    what_if_button: "Nilai tanpa mengajukan", "Evaluate without applying";
    what_if_result: "Hasil simulasi", "What-if result";
    requested_days: "Hari bekerja dari mana saja per minggu", "Days anywhere per week";
    kpi_baseline: "Baseline IKU", "KPI baseline";
    kpi_target: "Target IKU", "KPI target";
    location: "Lokasi", "Location";
    loc_other_office: "Kantor lain", "Another office";
    loc_registered_home: "Rumah terdaftar", "Registered home";
    loc_other_place: "Tempat lain di provinsi", "Another place in the province";
    work_plan: "Rencana kerja", "Work plan";
    apply_title: "Ajukan", "Apply";
    apply_button: "Kirim pengajuan", "Submit application";
    form_errors: "Periksa isian berikut:", "Please check these fields:";
    application: "Pengajuan Anda", "Your application";
    state: "Status", "State";
    st_withdrawn: "Ditarik", "Withdrawn";
    st_not_eligible: "Tidak memenuhi syarat", "Not eligible";
    st_rejected: "Ditolak atasan", "Rejected by the approver";
    st_awaiting_supervisor: "Menunggu persetujuan atasan", "Awaiting the supervisor's approval";
    st_awaiting_head: "Menunggu persetujuan kepala perangkat daerah", "Awaiting the head of agency's approval";
    st_approved: "Disetujui, menunggu alokasi triwulan", "Approved, waiting for the quarter's allocation";
    st_granted: "Diberikan", "Granted";
    st_waitlisted: "Daftar tunggu: kuota unit sedang penuh", "Waitlisted: the unit's quota is full";
    st_set_aside: "Ditunda: aturan wilayah gagal memproses pengajuan ini", "Set aside: the region's rules failed on this application";
    awaiting: "Menunggu", "Waiting";
    answer_waiting: "Menunggu.", "Waiting.";
    answer_no: "Tidak.", "No.";
    withdraw_confirm: "Saya yakin menarik pengajuan ini; hari yang sudah diberikan dilepas untuk rekan di daftar tunggu.", "I am sure I want to withdraw this application; any days granted are released to colleagues on the waitlist.";
    withdraw_unconfirmed: "Penarikan belum dikonfirmasi: centang pernyataan di atas tombol, lalu tekan lagi. Tidak ada yang berubah.", "Withdrawal not confirmed: tick the statement above the button and press it again. Nothing changed.";
    notifications: "Pemberitahuan", "Notifications";
    allocate_confirm: "Saya mengerti: alokasi menyusun ulang jadwal triwulan semua unit di wilayah ini.", "I understand: the allocation rebuilds the quarter's rosters of every unit in this region.";
    allocate_unconfirmed: "Alokasi belum dikonfirmasi: centang pernyataan di atas tombol, lalu tekan lagi. Tidak ada yang berubah.", "Allocation not confirmed: tick the statement above the button and press it again. Nothing changed.";
    attention_title: "Perlu tindakan", "Needs action";
    people_granted: "Pegawai mendapat hari", "People granted days";
    days_granted: "Hari per minggu", "Days a week";
    allocation_col: "Alokasi: pegawai · hari", "Allocation: people · days";
    flagged_title: "Hari yang ditandai oleh aturan baru", "Grants flagged by new rules";
    preview_button: "Pratinjau: siapa yang berpindah", "Preview: who would move";
    preview_done: "Pratinjau, belum ada yang berubah. Pegawai yang jadwalnya akan berubah", "Preview, nothing changed yet. Staff whose roster would change";
    moves_would: "Jadwal yang akan berubah bila alokasi dijalankan", "Rosters that would change if the allocation runs";
    moves_done: "Jadwal yang berubah (pegawai telah diberi tahu)", "Rosters that changed (each person was notified)";
    move_from: "Sebelumnya", "Before";
    move_to: "Sesudahnya", "After";
    hr_decides_title: "Pengajuan tanpa atasan tercatat — bagian kepegawaian memutuskan", "Applications without a supervisor on record — HR decides";
    hr_decides_none: "Tidak ada pengajuan yang menunggu keputusan bagian kepegawaian.", "No application awaits HR's decision.";
    waiting_title: "Menunggu persetujuan lebih dari", "Waiting for an approval longer than";
    waiting_none: "Tidak ada pengajuan yang menunggu terlalu lama.", "No application has waited too long.";
    days_word: "hari", "days";
    unsupervised_title: "Pegawai tanpa atasan tercatat", "Staff without a supervisor on record";
    unsupervised_none: "Semua pegawai memiliki atasan tercatat.", "Every employee has a supervisor on record.";
    recorded_supervisor: "Atasan tercatat", "Supervisor on record";
    set_aside_title: "Pengajuan yang ditunda karena aturan gagal", "Applications set aside because the rules failed";
    failure: "Kegagalan", "Failure";
    decided_hr: "Keputusan disimpan sebagai pengganti atasan.", "Decision saved in the supervisor's place.";
    waited: "Lama menunggu", "Waited";
    notifications_none: "Belum ada pemberitahuan.", "No notifications yet.";
    history: "Riwayat pengajuan", "Application history";
    notes: "Catatan atasan", "Approver's note";
    withdraw: "Tarik pengajuan", "Withdraw application";
    roster: "Jadwal mingguan saya", "My weekly roster";
    roster_none: "Belum ada jadwal untuk triwulan ini.", "No roster for this quarter yet.";
    away: "Dari mana saja", "Anywhere";
    in_office: "Di kantor", "In the office";
    download_ics: "Unduh kalender (.ics)", "Download calendar (.ics)";
    days_suffix: "hari per minggu", "days a week";
    queue: "Antrean persetujuan", "Approval queue";
    queue_empty: "Tidak ada pengajuan yang menunggu persetujuan Anda.", "No application awaits your approval.";
    approve: "Setujui", "Approve";
    reject: "Tolak", "Reject";
    note: "Catatan (opsional)", "Note (optional)";
    team_week: "Minggu tim", "The team's week";
    team_week_intro: "Siapa di kantor setiap hari, dan porsi kehadiran di kantor terhadap minimum.", "Who is in the office each day, and the office share against the minimum.";
    day: "Hari", "Day";
    office_share: "Porsi di kantor", "Office share";
    minimum: "Minimum", "Minimum";
    below_minimum: "di bawah minimum", "below the minimum";
    team: "Tim", "Team";
    name: "Nama", "Name";
    unit: "Unit", "Unit";
    decided: "Keputusan disimpan.", "Decision saved.";
    submitted: "Pengajuan terkirim.", "Application submitted.";
    withdrawn_msg: "Pengajuan ditarik.", "Application withdrawn.";
    import_form_refused: "Impor membaca formulir multipart/form-data dengan berkas CSV (text/csv) di kolom `file`; untuk API, kirim berkasnya sebagai text/csv ke /api/employees/import atau /api/units/import.", "The import reads a multipart/form-data form with the CSV file (text/csv) in its `file` field; for the API, send the file as text/csv to /api/employees/import or /api/units/import.";
    withdraw_refused: "Penarikan ditolak: itu bukan pengajuan aktif Anda, jadi tidak ada yang berubah.", "Withdrawal refused: that is not your live application, so nothing changed.";
    pattern: "Pola", "Pattern";
    starts: "mulai", "from";
    hr_title: "Pengelolaan MKD wilayah", "Regional DWA administration";
    import_title: "Impor data (CSV)", "Import data (CSV)";
    import_intro: "Berkas diperiksa baris demi baris dan disimpan utuh atau tidak sama sekali.", "Each row is checked; the file is written whole or not at all.";
    import_units: "Unit organisasi", "Organisational units";
    import_employees: "Pegawai", "Employees";
    import_kind: "Jenis data", "Kind of data";
    import_file: "Berkas CSV", "CSV file";
    import_button: "Impor", "Import";
    import_done: "baris diimpor", "rows imported";
    heads_title: "Kepala OPD", "Heads of agency";
    heads_intro: "Kepala OPD memberi persetujuan kepala OPD (di Kabupaten Bekasi untuk 2 hari atau lebih). Berkas unit hanya menyebut jabatannya; catat orangnya di sini: pegawai OPD itu sendiri.", "The head of an agency gives the head-of-agency approval (in Kabupaten Bekasi, for 2 days or more). The unit file names only the position; record the person here: an employee of that agency.";
    agency: "OPD", "Agency";
    head_nip: "NIP kepala OPD", "Head's NIP";
    head_button: "Simpan kepala OPD", "Save the head";
    head_saved: "Kepala OPD disimpan.", "Head of agency saved.";
    current_head: "Kepala saat ini", "Current head";
    import_refused: "Berkas ditolak, tidak ada yang disimpan", "File refused, nothing written";
    line: "Baris", "Line";
    column: "Kolom", "Column";
    problem: "Masalah", "Problem";
    key: "NIP / unit", "NIP / unit";
    allocation_title: "Alokasi triwulan", "Quarterly allocation";
    allocation_intro: "Menilai dan mengalokasikan setiap unit wilayah ini; jadwal tiap unit diganti dalam satu transaksi.", "Evaluates and allocates every unit of this region; each unit's roster is replaced in one transaction.";
    allocate_button: "Jalankan alokasi", "Run the allocation";
    allocation_running: "Alokasi berjalan…", "Allocation running…";
    allocation_done: "Alokasi selesai", "Allocation finished";
    evaluated: "Dinilai", "Evaluated";
    eligible: "Memenuhi syarat", "Eligible";
    granted: "Diberikan", "Granted";
    rosters_title: "Jadwal per unit", "Rosters per unit";
    show: "Tampilkan", "Show";
    weekdays: "Hari dari mana saja", "Days anywhere";
    reports_title: "Laporan", "Reports";
    headcount: "Pegawai", "Headcount";
    applications: "Pengajuan", "Applications";
    participation_rate: "Partisipasi", "Participation";
    chart_participation: "Partisipasi per unit", "Participation per unit";
    chart_reasons: "Alasan penolakan", "Reasons for refusal";
    chart_savings: "Penghematan per triwulan", "Savings per quarter";
    savings_total: "Perkiraan penghematan triwulan ini", "Estimated savings this quarter";
    export: "Unduh", "Download";
    policy_title: "Kebijakan wilayah", "Regional policy";
    live_status: "Status saat ini", "Live status";
    serving: "Versi yang berlaku", "Version serving";
    since: "Sejak", "Since";
    last_attempt: "Perubahan terakhir", "Last change attempted";
    versions: "Versi", "Versions";
    created: "Dibuat", "Created";
    audit: "Jejak audit", "Audit trail";
    action: "Tindakan", "Action";
    actor: "Oleh", "By";
    detail: "Rincian", "Detail";
    candidate: "Kandidat manifest", "Candidate manifest";
    candidate_intro: "Ubah parameter, lalu uji coba: keputusan triwulan ini yang akan berubah, per unit.", "Edit the parameters, then dry-run: which of this quarter's decisions would flip, per unit.";
    dry_run_button: "Uji coba (dry run)", "Dry run";
    upload_button: "Simpan sebagai versi", "Store as a version";
    dry_run_title: "Hasil uji coba", "Dry-run report";
    diff: "Perbedaan", "Diff";
    became_ineligible: "Menjadi tidak memenuhi syarat", "Became ineligible";
    became_eligible: "Menjadi memenuhi syarat", "Became eligible";
    pattern_changed: "Pola berubah", "Pattern changed";
    input_diff_title: "Siapa lagi yang terdampak: masukan di sepanjang batas setiap syarat", "Who else it affects: inputs along every gate's boundary";
    input_diff_intro: "Uji coba hanya memutar ulang pengajuan yang ada. Di sini kedua versi menilai orang yang belum mengajukan: contoh kerja yang memenuhi syarat, diubah di setiap batas syarat.", "A dry run replays the applications there are. Here both versions judge people who have not applied: a passing worked example, varied at every gate's boundary.";
    inputs_explored: "masukan dijelajahi", "inputs explored";
    inputs_changed: "berubah", "change";
    input_dimension: "Yang diubah", "Varied";
    input_value: "Nilai", "Value";
    input_change: "Perubahan", "Change";
    input_count: "Jumlah", "Count";
    input_example: "Contoh: lama → baru", "Example: old → new";
    fewer_days: "Lebih sedikit hari", "Fewer days";
    more_days: "Lebih banyak hari", "More days";
    other_gates: "Syarat lain yang gagal", "Other failed gates";
    other_approvals: "Persetujuan lain yang diperlukan", "Other approvals required";
    refusal_changed: "Penolakan plugin berubah", "The plugin's refusal changed";
    outcome_eligible: "memenuhi syarat", "eligible";
    outcome_not_eligible: "tidak memenuhi syarat", "not eligible";
    outcome_refused: "ditolak plugin", "refused by the plugin";
    no_input_changes: "Tidak ada masukan yang hasilnya berubah.", "No input's outcome changes.";
    as_head: "Persetujuan sebagai kepala OPD", "Approval as head of agency";
    signature: "Tanda tangan", "Signature";
    signatures_required: "Tanda tangan wajib", "Signatures required";
    signed_by: "ditandatangani, kunci", "signed, key";
    key_registered: "terdaftar", "registered";
    key_not_registered: "tidak terdaftar", "not registered";
    unsigned: "tidak ditandatangani", "unsigned";
    yes: "ya", "yes";
    no: "tidak", "no";
    activate_title: "Aktifkan", "Activate";
    activate_from: "Mulai tanggal (kosong = sekarang)", "From date (empty = now)";
    activate_button: "Aktifkan versi", "Activate version";
    rollback_button: "Kembalikan ke versi sebelumnya", "Roll back to the previous version";
    policy_uploaded: "Versi disimpan (belum aktif)", "Version stored (not active yet)";
    policy_activated: "Versi diaktifkan.", "Version activated.";
    policy_scheduled: "Aktivasi dijadwalkan.", "Activation scheduled.";
    policy_rolled_back: "Dikembalikan ke versi sebelumnya.", "Rolled back to the previous version.";
    province_title: "Status semua wilayah", "Every region at a glance";
    plugin_failures: "Kegagalan plugin", "Plugin failures";
    decisions: "Keputusan", "Decisions";
    eligible_rate: "Memenuhi syarat", "Eligible";
    links: "Tautan", "Links";
    guard_note_required: "Catatan: penolakan wajib disertai catatan alasan", "Note: a rejection needs a note saying why";
    guard_target_above_baseline: "Target IKU: harus lebih tinggi dari nilai awal", "KPI target: must be above the baseline";
    guard_activation_past: "Mulai tanggal: tanggal itu sudah lewat; pilih hari ini atau sesudahnya", "From date: that date is in the past; choose today or a later date";
    rollback_to: "versi", "version";
    rollback_was_live: "aktif terakhir", "last live";
    rollback_none: "Belum ada versi sebelumnya untuk dikembalikan.", "There is no earlier version to roll back to.";
}

/// A guard's refusal in `lang`: the field's label, what is wrong, and the values refused.
pub fn guard_message(guard: &dwa_workflow::Guard, lang: Lang) -> String {
    use dwa_workflow::Guard;
    let t = lang.text();
    match guard {
        Guard::RejectionNeedsNote => t.guard_note_required.to_owned(),
        Guard::TargetNotAboveBaseline { baseline, target } => {
            format!("{} ({target} ≤ {baseline})", t.guard_target_above_baseline)
        }
        Guard::ActivationInPast { from, today } => format!(
            "{} ({} < {})",
            t.guard_activation_past,
            super::format::date(*from, lang),
            super::format::date(*today, lang)
        ),
    }
}
