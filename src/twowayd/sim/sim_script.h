/* sim_script — what the simulated customers say (included by sim.c only).
 * Short, plain lines as people text them, a few with emoji. */
#ifndef TWOWAYD_SIM_SCRIPT_H
#define TWOWAYD_SIM_SCRIPT_H

/* Answers to an agent's reply. */
static const char *const sim_answers[] = {
    "Thanks!",
    "Perfect, see you then 👍",
    "Can we do a bit later?",
    "ok",
    "Who is this?",
    "Great, thank you so much!",
    "Sounds good",
    "Is there anything earlier?",
    "Got it 🙏",
    "Sorry, which day was that again?",
    "Yes please",
    "Thx 😊",
    "Can I call you instead?",
    "Awesome, appreciate it",
    "Hmm, that doesn't work for me. Anything Friday?",
    "👍🏽",
    "Will I get a reminder the day before?",
    "Ok see you then!",
};

/* First texts from a customer. */
static const char *const sim_openers[] = {
    "Hi, do you have anything open tomorrow?",
    "Running 10 min late, sorry!",
    "Hello, I need to reschedule my appointment on Friday",
    "Do you take Delta Dental insurance?",
    "What time do you open on Saturday?",
    "Hi! Is my order ready for pickup?",
    "Can I get a cleaning this week? Any day after 3pm",
    "My filling fell out 😬 can someone see me today?",
    "Hi, this is Sam's mom. He has a toothache, can you fit him in?",
    "Where do I park?",
    "Did you get my insurance card photo?",
    "Can you resend the link to pay my bill?",
    "Hi there! Just confirming my appointment tomorrow at 10",
    "Is Dr. Yu in on Thursday?",
    "Do you do teeth whitening? How much?",
    "I think I left my glasses in the waiting room 🤦",
};

#endif
