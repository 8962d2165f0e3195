"""Pages, one module per audience: everyone, quiz-takers, learners reviewing, teachers."""
