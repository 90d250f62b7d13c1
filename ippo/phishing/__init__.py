"""Phishing drills (標的型メール訓練): bilingual drill e-mail templates with annotated red flags."""
