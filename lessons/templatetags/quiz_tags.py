from django import template

from lessons.quiz import QuizState, find_quiz

register = template.Library()


@register.simple_tag(takes_context=True)
def quiz_view(context, learning, quiz_id):
    """What the quiz block shows: the quiz, the student's state, and each question ready to render.

    Correct options are included only when the state reveals them (passed, or no attempts
    left); before that the page carries questions and option texts and nothing else.
    """
    request = context["request"]
    states = learning.quiz_states if learning is not None else {}
    state = states.get(quiz_id)
    if state is None:
        quiz = find_quiz(learning.lesson, quiz_id) if learning is not None else None
        if quiz is None:
            return None
        state = QuizState(quiz)
    feedback = getattr(request, "quiz_feedback", None)
    if not feedback or feedback["quiz_id"] != quiz_id:
        feedback = None
    last = state.last_attempt
    questions = []
    for number, question in enumerate(state.quiz.questions, start=1):
        if feedback:
            chosen = set(feedback["chosen"].get(question.field_name, ()))
        else:
            chosen = set(last.answers.get(question.id, ())) if last else set()
        questions.append(
            {
                "number": number,
                "question": question,
                "multiple": question.kind == "multiple",
                "unanswered": bool(feedback) and question.id in feedback["unanswered"],
                "score": last.question_scores.get(question.id) if last and not feedback else None,
                "options": [
                    {
                        "id": option.id,
                        "text": option.text,
                        "chosen": option.id in chosen,
                        "correct": option.correct if state.reveals_answers else None,
                    }
                    for option in question.options
                ],
            }
        )
    return {
        "state": state,
        "quiz": state.quiz,
        "feedback": feedback,
        "questions": questions,
        "may_submit": bool(learning.course_learner.enrolled) and state.may_attempt,
        "show_results": last is not None and not feedback,
    }
