/* seed_data — the demo account's people and conversations (included by
 * seed.c only). Phone numbers are in the 555-01xx range, reserved for
 * fiction. */
#ifndef TWOWAYD_SEED_DATA_H
#define TWOWAYD_SEED_DATA_H

/* A script laid out for reading, not by the formatter. */
/* clang-format off */

#define SEED_ACCOUNT_NAME "Bayside Dental & Wellness"
#define SEED_INBOX_NAME "Front Desk SMS"

/* The automatic keyword answers as twowayd sends them by default
 * (dconfig.c stop_reply and help_reply), for the history of the STOP and
 * HELP threads. */
#define SEED_STOP_REPLY                                                                           \
    "You have successfully been unsubscribed. You will not receive any more messages from this "  \
    "number. Reply START to resubscribe."
#define SEED_START_REPLY                                                                          \
    "You have successfully been re-subscribed to messages from this number. Reply HELP for "      \
    "help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
#define SEED_HELP_REPLY "Reply STOP to unsubscribe. Msg&Data Rates May Apply."

/* Chatwoot's mention markup for the three agents (ids 1-3 in a fresh
 * database). */
#define MENTION_ANN "[@Ann Lee](mention://user/1/Ann%20Lee)"
#define MENTION_BEN "[@Ben Ortiz](mention://user/2/Ben%20Ortiz)"
#define MENTION_CHLOE "[@Chloe Park](mention://user/3/Chloe%20Park)"

static const struct {
    const char *name, *email, *role;
} seed_agents[3] = {
    {"Ann Lee", "ann@bayside.example", "administrator"},
    {"Ben Ortiz", "ben@bayside.example", "agent"},
    {"Chloe Park", "chloe@bayside.example", "agent"},
};

static const struct {
    const char *name, *description;
} seed_teams[2] = {
    {"Front desk", "Appointments, reminders and walk-ins"},
    {"Billing", "Invoices, insurance and payment plans"},
};

static const struct {
    const char *title, *description, *color;
} seed_labels[] = {
    {"appointment", "Booking, moving or cancelling a visit", "#1f93ff"},
    {"billing", "Invoices, payments and insurance", "#ff9f1c"},
    {"complaint", "Unhappy customer: handle with care", "#e63946"},
    {"delivery", "Orders and shipments from our shop", "#2a9d8f"},
    {"vip", "Long-standing patients", "#8338ec"},
    {"follow-up", "Needs a call or message back", "#6c757d"},
    {"new-patient", "First visit", "#06d6a0"},
};

static const struct {
    const char *short_code, *content;
} seed_canned[] = {
    {"hello", "Hi {{contact.first_name}}, this is {{agent.first_name}} at Bayside Dental. How can "
              "I help?"},
    {"resched", "Hi {{contact.first_name}}, no problem. We have openings Tue 10:00, Wed 14:30 or "
                "Fri 09:15. Which works best?"},
    {"confirm", "You're all set, {{contact.first_name}}. See you then! Reply C to cancel."},
    {"hours", "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00."},
    {"insurance", "Could you text us a photo of the front and back of your insurance card?"},
    {"thanks", "Thanks {{contact.first_name}}! Anything else I can help with?"},
    {"late", "Hi {{contact.first_name}}, we're running about 15 minutes behind today. Sorry for "
             "the wait!"},
    {"order", "Hi {{contact.first_name}}, your order for conversation #{{conversation.id}} is on "
              "its way."},
};

static const struct seed_conv seed_convs[] = {
    /* 1: appointment reschedule */
    {"Maria Gonzalez", "+15550101001", "maria.g@example.com", "open", "high", 2, 1,
     "appointment", false,
     {{'C', 190, "Hi, I need to move my cleaning on Thursday. Something came up at work"},
      {'A', 185, "Hi Maria, no problem. We have openings Tue 10:00, Wed 14:30 or Fri 09:15. "
                 "Which works best?"},
      {'C', 12, "Friday 9:15 please!"},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"silver\",\"preferred_dentist\":\"Dr. Yu\"}"},
    /* 2: order status, unassigned and waiting */
    {"James Carter", "+15550101002", "jcarter@example.com", "open", "medium", 0, 0, "delivery",
     false,
     {{'C', 48, "Where is my order? It said 2 days and it's been 5"},
      {'C', 47, "Order number is BD-20931"},
      {0, 0, NULL}}},
    /* 3: delivery instructions */
    {"Priya Raman", "+15550101003", NULL, "open", NULL, 1, 1, "appointment,vip", true,
     {{'C', 60 * 26, "Can you leave the gate code for the delivery? It's 4471#"},
      {'A', 60 * 25, "Got it Priya, I've added 4471# to the delivery notes."},
      {'C', 60 * 25 - 5, "Thank you!!"},
      {'N', 60 * 25 - 4, "Gate code saved in her file. Courier is Swift Parcel."},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"gold\",\"preferred_dentist\":\"Dr. Yu\",\"patient_since\":\"2014\"}"},
    /* 4: complaint */
    {"Robert Chen", "+15550101004", "rchen@example.com", "open", "urgent", 3, 2,
     "complaint,billing", false,
     {{'C', 300, "I was charged twice for the same visit on Nov 3. This is the second time this "
                 "has happened."},
      {'A', 290, "I'm so sorry Robert. I'm looking into it with our billing team right now."},
      {'N', 288, "Duplicate charge confirmed in the ledger: $145 x2. Refund needs " MENTION_ANN
                 "'s OK."},
      {'C', 95, "Any update? I'd like this fixed today."},
      {0, 0, NULL}}},
    /* 5 */
    {"Aiko Tanaka", "+15550101005", NULL, "pending", "low", 0, 1, "new-patient", false,
     {{'C', 80, "Hello! I'd like to book a first checkup. Do you take new patients?"},
      {0, 0, NULL}}},
    /* 6: RSVP */
    {"Sam Whitfield", "+15550101006", NULL, "resolved", NULL, 2, 0, "appointment", true,
     {{'C', 60 * 50, "Yes I'll be there Saturday 10am. RSVP for 2 please (me + my son)"},
      {'A', 60 * 49, "Perfect Sam, two spots booked for Saturday at 10:00."},
      {0, 0, NULL}}},
    /* 7: STOP, answered automatically; the contact is opted out */
    {NULL, "+15550101007", NULL, "open", NULL, 0, 0, "", false,
     {{'C', 30, "STOP"},
      {'X', 30, "Contact opted out of SMS (STOP)"},
      {'T', 30, SEED_STOP_REPLY},
      {0, 0, NULL}},
     .opted_out = true},
    /* 8: HELP, answered automatically */
    {NULL, "+15550101008", NULL, "open", NULL, 0, 0, "", false,
     {{'C', 22, "HELP"},
      {'T', 22, SEED_HELP_REPLY},
      {0, 0, NULL}}},
    /* 9: emoji: skin tones, a ZWJ family, flags */
    {"Lena Fischer", "+15550101009", "lena.f@example.com", "open", "medium", 1, 0, "vip", false,
     {{'C', 40, "OMG thank you so much for squeezing me in 🙏🙏 my tooth feels sooo much better "
                "😁🦷✨"},
      {'A', 39, "So glad to hear it Lena! 😊"},
      {'C', 6, "👍🏽👍🏽 see you in 6 months 🎉👨‍👩‍👧 off to see the family 🇩🇪🇺🇸"},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"gold\",\"preferred_dentist\":\"Dr. Alvarez\"}"},
    /* 10: Chinese */
    {"王芳", "+15550101010", NULL, "open", NULL, 0, 0, "new-patient", false,
     {{'C', 18, "你好，我想预约下周的洗牙。周三下午可以吗？"},
      {0, 0, NULL}}},
    /* 11 */
    {"Olivia Brown", "+15550101011", "olivia.b@example.com", "snoozed", "medium", 2, 2,
     "billing,follow-up", true,
     {{'C', 60 * 30, "Can I split the crown payment into three months?"},
      {'A', 60 * 29, "Yes, we can set up a 3-month plan. I'll text you the details tomorrow."},
      {0, 0, NULL}}},
    /* 12 */
    {"Marcus Hill", "+15550101012", NULL, "resolved", "low", 3, 0, "", true,
     {{'C', 60 * 72, "What time do you close on Saturday?"},
      {'A', 60 * 71, "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00."},
      {'C', 60 * 71 - 1, "Great thanks"},
      {0, 0, NULL}}},
    /* 13: Arabic (right to left) */
    {"فاطمة السيد", "+15550101013", "fatima.s@example.com", "open", "low", 1, 1, "appointment",
     true,
     {{'C', 60 * 5, "مرحباً، أريد تأكيد موعدي يوم الثلاثاء الساعة العاشرة. شكراً"},
      {'A', 60 * 5 - 10, "Hi Fatima, confirmed: Tuesday 10:00 with Dr. Yu. تم التأكيد ✅"},
      {'C', 60 * 5 - 12, "شكراً جزيلاً 🌷"},
      {0, 0, NULL}}},
    /* 14: Cyrillic */
    {"Дмитрий Иванов", "+15550101014", NULL, "pending", NULL, 3, 1, "appointment,new-patient",
     false,
     {{'C', 60 * 3, "Здравствуйте! Можно записаться на чистку зубов в пятницу после обеда?"},
      {'A', 60 * 3 - 20, "Hi Dmitry! Friday 14:30 is free. Shall I book it for you?"},
      {'C', 60 * 2, "Да, отлично. Спасибо! И можно напомнить мне в четверг?"},
      {0, 0, NULL}}},
    /* 15: Hindi */
    {"Ananya Sharma", "+15550101015", "ananya.sharma@example.com", "open", "high", 2, 1,
     "appointment", false,
     {{'C', 55, "नमस्ते, क्या आप शनिवार को खुले हैं? मेरे बेटे के दाँत में दर्द है।"},
      {'A', 50, "Hi Ananya, yes, Saturday 9:00-13:00. I can fit him in at 9:30."},
      {'C', 9, "ठीक है, धन्यवाद! हम 9:30 बजे आएँगे।"},
      {0, 0, NULL}}},
    /* 16: a long message (two segments), a note with a mention */
    {"Grace Whitman", "+15550101016", "grace.whitman@example.com", "open", "urgent", 1, 1,
     "appointment,vip,follow-up", false,
     {{'C', 75, "Hi there, I had my wisdom tooth out on Tuesday. The swelling went down but since "
                "last night there's a throbbing pain that goes up to my ear and a bad taste in my "
                "mouth. I've been taking the ibuprofen as directed. Is this normal or should I "
                "come back in? I'm free any time tomorrow."},
      {'N', 70, "Sounds like a dry socket. " MENTION_CHLOE
                " can you ask Dr. Yu for a slot tomorrow morning?"},
      {'N', 64, "Dr. Yu can see her at 8:30, booked.", .by = 3},
      {'A', 62, "Hi Grace, that could be a dry socket and we'd like to take a look. Can you come "
                "in tomorrow at 8:30? Rinse gently with warm salt water tonight."},
      {'C', 4, "Yes 8:30 works. Thank you so much"},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"gold\",\"preferred_dentist\":\"Dr. Yu\"}"},
    /* 17: a reply that failed at the carrier */
    {"Kevin O'Brien", "+15550101017", NULL, "open", "medium", 2, 0, "follow-up", true,
     {{'C', 60 * 4, "Can you text me the address again? Lost the reminder"},
      {'A', 60 * 4 - 3, "Sure Kevin, we're at 1200 Bayside Ave, Suite 4. Parking is behind the "
                        "building.",
       .error = "30003 - Phone unreachable (off or no signal); often temporary, retry later"},
      {'N', 60 * 4 - 30, "Text bounced (30003). " MENTION_ANN " I'll call him after lunch."},
      {0, 0, NULL}}},
    /* 18: a picture with no text (MMS) */
    {"Carlos Mendez", "+15550101018", "carlos.mendez@example.com", "open", "low", 3, 2,
     "billing", false,
     {{'3', 60 * 6, "Hi Carlos, could you text us a photo of the front and back of your "
                    "insurance card?"},
      {'C', 25, NULL, .media = "https://media.example.com/mms/ME3f9a2c41d07b4e8d/card-front.jpg"},
      {'C', 24, "Is that readable? The back is blank"},
      {0, 0, NULL}}},
    /* 19: order status */
    {"Hannah Kim", "+15550101019", "hannah.kim@example.com", "resolved", "low", 3, 0, "delivery",
     true,
     {{'C', 60 * 28, "Hi! Did my whitening kit ship yet? Order BD-21077"},
      {'A', 60 * 27, "Hi Hannah, it shipped this morning with Swift Parcel, tracking SP-448812. "
                     "It should arrive Thursday."},
      {'C', 60 * 27 - 2, "Yay thanks!"},
      {0, 0, NULL}}},
    /* 20: RSVP */
    {"Tyrone Jackson", "+15550101020", NULL, "resolved", NULL, 2, 1, "appointment", true,
     {{'C', 60 * 47, "RSVP yes for the kids dental health day on the 14th. 3 kids 😅"},
      {'A', 60 * 46, "Wonderful Tyrone, 3 spots reserved for Saturday the 14th at 10:00. There "
                     "will be goodie bags!"},
      {'C', 60 * 46 - 3, "They'll love that"},
      {0, 0, NULL}}},
    /* 21: complaint, a note asking a colleague to call */
    {"Patricia Nolan", "+15550101021", "pnolan@example.com", "open", "high", 2, 1,
     "complaint,follow-up", false,
     {{'C', 60 * 2 + 10, "I waited 45 minutes past my appointment time today and nobody told me "
                         "anything. Very disappointed."},
      {'N', 60 * 2, MENTION_BEN " please call her and offer a free cleaning.", .by = 1},
      {'A', 60 + 50, "Patricia, I'm truly sorry about today's wait. That's not the experience we "
                     "want for you. Could I call you this afternoon to make it right?"},
      {'C', 60 + 20, "Fine. After 4 please."},
      {0, 0, NULL}}},
    /* 22 */
    {"Greg Lawson", "+15550101022", "greg.l@example.com", "snoozed", "low", 3, 2, "billing", true,
     {{'C', 60 * 20, "Can you send me a receipt of all my 2023 visits for my taxes?"},
      {'A', 60 * 19, "Sure Greg, I'll email the statement to greg.l@example.com when the billing "
                     "office is back on Monday."},
      {'C', 60 * 19 - 1, "👍"},
      {0, 0, NULL}}},
    /* 23: pending, unassigned, with a team */
    {"Yuki Sato", "+15550101023", "yuki.sato@example.com", "pending", "medium", 0, 1,
     "new-patient", false,
     {{'C', 60 * 7, "Do you do Invisalign consultations? And is the first one free?"},
      {0, 0, NULL}},
     .attrs = "{\"referred_by\":\"Lena Fischer\"}"},
    /* 24: delivery instructions */
    {"Rosa Delgado", "+15550101024", NULL, "resolved", "low", 1, 0, "delivery", true,
     {{'C', 60 * 52, "For the retainer delivery please leave it with the doorman, not in the "
                     "mailbox"},
      {'A', 60 * 51, "Will do Rosa, I've noted \"leave with doorman\" for the courier."},
      {0, 0, NULL}}},
    /* 25 */
    {"Ethan Brooks", "+15550101025", NULL, "open", NULL, 2, 1, "appointment", true,
     {{'C', 14, "Running 10 min late, so sorry! Traffic on 101"},
      {'A', 13, "No worries Ethan, see you soon."},
      {0, 0, NULL}}},
    /* 26: a wrong number */
    {NULL, "+15550101026", NULL, "open", "low", 0, 0, "follow-up", false,
     {{'C', 60 * 9, "Who is this? I got a reminder for an appointment I didn't make"},
      {'1', 60 * 8, "Hi! This is Bayside Dental. Sorry for the confusion. Could you tell us your "
                    "name so we can check?"},
      {'C', 60 * 8 - 15, "It's Ken. I think you have my old number, the patient is my brother Lou"},
      {0, 0, NULL}}},
    /* 27: emoji and a flag */
    {"Sofia Rossi", "+15550101027", "sofia.rossi@example.com", "open", "medium", 3, 1,
     "appointment", false,
     {{'C', 60 * 3 + 30, "Ciao! 🇮🇹 Back from vacation 🏖️☀️ and my crown feels loose 😬🦷"},
      {'A', 60 * 3 + 20, "Welcome back Sofia! 🇮🇹 Can you come in Wed at 14:30?"},
      {'C', 35, "Perfetto 👌🏻👌🏻 see you then 🙌🏾"},
      {0, 0, NULL}}},
    /* 28: insurance, a note */
    {"David Levi", "+15550101028", "dlevi@example.com", "pending", "medium", 3, 2,
     "billing,follow-up", true,
     {{'C', 60 * 30, "Hi, I got a bill for $380 but insurance was supposed to cover most of it?"},
      {'A', 60 * 29, "Hi David, let me check with your insurer. It can take 1-2 business days."},
      {'N', 60 * 29 - 5, "Delta Dental claim #88213 pending. Follow up Thursday."},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"silver\",\"insurer\":\"Delta Dental\"}"},
    /* 29: Spanish */
    {"Lucía Fernández", "+15550101029", NULL, "resolved", NULL, 2, 1, "new-patient,appointment",
     true,
     {{'C', 60 * 75, "Hola, ¿hablan español? Quisiera hacer una cita para una limpieza."},
      {'A', 60 * 74, "¡Hola Lucía! Sí, hablamos español. ¿Le queda bien el martes a las 10:00?"},
      {'C', 60 * 74 - 6, "Sí, perfecto. ¡Gracias!"},
      {0, 0, NULL}}},
    /* 30: an emergency */
    {"Mike Sullivan", "+15550101030", "mike.sullivan@example.com", "open", "urgent", 1, 1,
     "appointment", false,
     {{'C', 8, "My daughter knocked out a front tooth at soccer!! What do we do?"},
      {'A', 7, "Mike, put the tooth in milk, don't scrub it, and come straight in. We'll be "
               "ready."},
      {'C', 3, "On our way, 10 min"},
      {0, 0, NULL}}},
    /* 31 */
    {"Beatriz Costa", "+15550101031", NULL, "resolved", "low", 3, 1, "appointment", true,
     {{'C', 60 * 22, "I need to cancel tomorrow's 3pm, I have the flu 🤒"},
      {'A', 60 * 21, "Feel better Beatriz! I've cancelled it. Text us when you'd like to rebook."},
      {0, 0, NULL}}},
    /* 32: order status, waiting for days */
    {"Oliver Grant", "+15550101032", "ogrant@example.com", "open", "low", 0, 0, "delivery", false,
     {{'C', 60 * 74, "Has the electric toothbrush I ordered come in yet?"},
      {'C', 60 * 50, "Hello?"},
      {0, 0, NULL}}},
    /* 33 */
    {"Amara Okoye", "+15550101033", "amara.okoye@example.com", "pending", "high", 3, 2,
     "billing,follow-up", false,
     {{'C', 60 * 6, "Did my insurance approve the root canal yet? The pain is getting worse"},
      {'A', 60 * 6 - 15, "Hi Amara, we're still waiting on approval. I'll call them again today."},
      {'C', 40, "Please hurry, I can barely eat"},
      {0, 0, NULL}}},
    /* 34 */
    {"Noah Williams", "+15550101034", NULL, "snoozed", NULL, 2, 0, "follow-up", true,
     {{'C', 60 * 33, "Remind me next month to book my cleaning pls"},
      {'A', 60 * 33 - 4, "Will do Noah! I'll text you on the 1st."},
      {0, 0, NULL}}},
    /* 35: snoozed, unassigned */
    {"Isabella Moore", "+15550101035", "isabella.moore@example.com", "snoozed", "high", 0, 2,
     "follow-up", true,
     {{'C', 60 * 45, "Can I get a copy of my x-rays sent to my new orthodontist? Dr. Patel at "
                     "Smile Studio"},
      {'1', 60 * 44, "Hi Isabella, we need a signed release form first. I'll email it to you."},
      {0, 0, NULL}}},
    /* 36: complaint about a wrong charge, a note */
    {"Frank Miller", "+15550101036", "frank.miller@example.com", "pending", "urgent", 3, 2,
     "complaint,billing", false,
     {{'C', 60 * 2 + 40, "You charged my card $1,200 for a crown I never had done. This is "
                         "fraud."},
      {'N', 60 * 2 + 30, MENTION_ANN " wrong patient file? The charge belongs to Frank Millar "
                         "(with an a)."},
      {'A', 60 * 2 + 25, "Mr. Miller, I'm very sorry. It looks like a mix-up on our side and "
                         "we're reversing the charge today."},
      {'C', 60 + 5, "I want confirmation in writing"},
      {0, 0, NULL}}},
    /* 37 */
    {"Jasmine Patel", "+15550101037", NULL, "resolved", "medium", 1, 0, "", true,
     {{'C', 60 * 96, "Is parking validated?"},
      {'A', 60 * 95, "Yes! Bring your ticket to the front desk."},
      {0, 0, NULL}}},
    /* 38: STOP by mistake, then START */
    {"Liam Murphy", "+15550101038", NULL, "resolved", NULL, 0, 0, "", true,
     {{'C', 60 * 80, "STOP"},
      {'X', 60 * 80, "Contact opted out of SMS (STOP)"},
      {'T', 60 * 80, SEED_STOP_REPLY},
      {'C', 60 * 79, "START"},
      {'X', 60 * 79, "Contact opted back in to SMS (START)"},
      {'T', 60 * 79, SEED_START_REPLY},
      {'C', 60 * 79 - 1, "Sorry, that was my kid playing with my phone 🙈"},
      {0, 0, NULL}}},
    /* 39 */
    {"Emily Zhang", "+15550101039", "emily.zhang@example.com", "pending", "low", 1, 1,
     "appointment", true,
     {{'C', 60 * 4 + 40, "Hi, do you have anything open tomorrow?"},
      {'A', 60 * 4 + 30, "Hi Emily! We have 11:15 or 16:00 tomorrow."},
      {'C', 60 * 4 + 20, "Let me check with work and get back to you"},
      {0, 0, NULL}}},
    /* 40: unassigned, team only */
    {"Victor Hughes", "+15550101040", NULL, "open", NULL, 0, 2, "billing", false,
     {{'C', 60 * 44, "What's the cash price for a cleaning without insurance?"},
      {0, 0, NULL}}},
    /* 41: brand new */
    {NULL, "+15550101041", NULL, "open", "medium", 0, 0, "", false,
     {{'C', 5, "Hi is this the dentist on Bayside Ave?"},
      {0, 0, NULL}}},
    /* 42 */
    {"Margaret Ellis", "+15550101042", NULL, "resolved", "urgent", 1, 1, "vip", true,
     {{'C', 60 * 26, "My denture broke in half 😩 can you fix it before Sunday lunch?"},
      {'A', 60 * 25, "Hi Margaret, bring it in by 10am Friday and our lab will have it back by "
                     "4pm."},
      {'C', 60 * 25 - 30, "Bless you dear"},
      {0, 0, NULL}},
     .attrs = "{\"plan\":\"gold\",\"preferred_dentist\":\"Dr. Alvarez\",\"patient_since\":"
              "\"1998\"}"},
    /* 43 */
    {"Ahmed Hassan", "+15550101043", NULL, "open", "low", 3, 1, "appointment", true,
     {{'C', 26, "Running 10 min late, sorry!"},
      {'A', 25, "Thanks for letting us know Ahmed!"},
      {0, 0, NULL}}},
    /* 44 */
    {"Zoe Martin", "+15550101044", "zoe.m@example.com", "pending", NULL, 2, 0, "", true,
     {{'C', 60 * 10, "Can I bring my dog? He's very calm 🐶"},
      {'A', 60 * 10 - 5, "Sorry Zoe, only service animals inside. He's welcome on the garden "
                         "patio!"},
      {'C', 60 * 10 - 6, "Haha ok 😂"},
      {0, 0, NULL}}},
    /* 45 */
    {"Raj Malhotra", "+15550101045", NULL, "open", "high", 0, 1, "appointment", false,
     {{'C', 25, "Got a reminder for 2pm but I thought it was 3pm? Which is it?"},
      {0, 0, NULL}}},
    /* 46: a thank-you after a visit */
    {"Chloé Dubois", "+15550101046", "chloe.dubois@example.com", "resolved", "low", 2, 0, "vip",
     true,
     {{'2', 60 * 98, "Hi Chloé, this is Ben at Bayside Dental. How is the new filling feeling?"},
      {'C', 60 * 97, "Much better, merci! No more sensitivity with cold drinks"},
      {'A', 60 * 97 - 2, "Great to hear! See you at your next checkup."},
      {0, 0, NULL}}},
};

/* Account 2: kept small; tests use it to check that accounts stay apart. */
static const struct seed_conv seed_convs_other[] = {
    {"Tom Rivera", "+15550102001", NULL, "open", NULL, 1, 0, "repair", false,
     {{'C', 15, "Is my bike ready? Dropped it off Monday"},
      {0, 0, NULL}}},
    {"Nina Kowalski", "+15550102002", "nina.k@example.com", "resolved", "low", 1, 0, "repair",
     true,
     {{'C', 60 * 30, "Do you fix hydraulic disc brakes?"},
      {'A', 60 * 29, "We do! Bring it by, usually same day."},
      {0, 0, NULL}}},
    {NULL, "+15550102003", NULL, "pending", "medium", 0, 0, "", false,
     {{'C', 60 * 3, "How much for a tune-up?"},
      {0, 0, NULL}}},
};

/* clang-format on */

#endif
