"""Staff security-awareness training content (bilingual modules with quizzes)."""
