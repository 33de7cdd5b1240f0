/* seed_data — the demo account's people and conversations (included by
 * seed.c only). Phone numbers are in the 555-01xx range, reserved for
 * fiction. */
#ifndef TWOWAYD_SEED_DATA_H
#define TWOWAYD_SEED_DATA_H

#define SEED_ACCOUNT_NAME "Bayside Dental & Wellness"
#define SEED_INBOX_NAME "Front Desk SMS"

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
    {"Maria Gonzalez", "+15550101001", "maria.g@example.com", "open", "high", 2, 1,
     "appointment", false,
     {{'C', 190, "Hi, I need to move my cleaning on Thursday. Something came up at work"},
      {'A', 185, "Hi Maria, no problem. We have openings Tue 10:00, Wed 14:30 or Fri 09:15. "
                 "Which works best?"},
      {'C', 12, "Friday 9:15 please!"},
      {0, 0, NULL}}},
    {"James Carter", "+15550101002", "jcarter@example.com", "open", "medium", 0, 0, "delivery",
     false,
     {{'C', 48, "Where is my order? It said 2 days and it's been 5"},
      {'C', 47, "Order number is BD-20931"},
      {0, 0, NULL}}},
    {"Priya Raman", "+15550101003", NULL, "open", NULL, 1, 1, "appointment,vip", true,
     {{'C', 60 * 26, "Can you leave the gate code for the delivery? It's 4471#"},
      {'A', 60 * 25, "Got it Priya, I've added 4471# to the delivery notes."},
      {'C', 60 * 25 - 5, "Thank you!!"},
      {'N', 60 * 25 - 4, "Gate code saved in her file. Courier is Swift Parcel."},
      {0, 0, NULL}}},
    {"Robert Chen", "+15550101004", "rchen@example.com", "open", "urgent", 3, 2,
     "complaint,billing", false,
     {{'C', 300, "I was charged twice for the same visit on Nov 3. This is the second time this "
                 "has happened."},
      {'A', 290, "I'm so sorry Robert. I'm looking into it with our billing team right now."},
      {'N', 288, "Duplicate charge confirmed in the ledger: $145 x2. Refund needs Ann's OK."},
      {'C', 95, "Any update? I'd like this fixed today."},
      {0, 0, NULL}}},
    {"Aiko Tanaka", "+15550101005", NULL, "pending", "low", 0, 1, "new-patient", false,
     {{'C', 80, "Hello! I'd like to book a first checkup. Do you take new patients?"},
      {0, 0, NULL}}},
    {"Sam Whitfield", "+15550101006", NULL, "resolved", NULL, 2, 0, "appointment", true,
     {{'C', 60 * 50, "Yes I'll be there Saturday 10am. RSVP for 2 please (me + my son)"},
      {'A', 60 * 49, "Perfect Sam, two spots booked for Saturday at 10:00."},
      {0, 0, NULL}}},
    {NULL, "+15550101007", NULL, "open", NULL, 0, 0, "", false,
     {{'C', 30, "STOP"},
      {0, 0, NULL}}},
    {NULL, "+15550101008", NULL, "open", NULL, 0, 0, "", false,
     {{'C', 22, "HELP"},
      {0, 0, NULL}}},
    {"Lena Fischer", "+15550101009", "lena.f@example.com", "open", "medium", 1, 0, "vip", false,
     {{'C', 40, "OMG thank you so much for squeezing me in 🙏🙏 my tooth feels sooo much better "
                "😁🦷✨"},
      {'A', 39, "So glad to hear it Lena! 😊"},
      {'C', 6, "👍🏽👍🏽 see you in 6 months 🎉👨‍👩‍👧"},
      {0, 0, NULL}}},
    {"王芳", "+15550101010", NULL, "open", NULL, 0, 0, "new-patient", false,
     {{'C', 18, "你好，我想预约下周的洗牙。周三下午可以吗？"},
      {0, 0, NULL}}},
    {"Olivia Brown", "+15550101011", "olivia.b@example.com", "snoozed", "medium", 2, 2,
     "billing,follow-up", true,
     {{'C', 60 * 30, "Can I split the crown payment into three months?"},
      {'A', 60 * 29, "Yes, we can set up a 3-month plan. I'll text you the details tomorrow."},
      {0, 0, NULL}}},
    {"Marcus Hill", "+15550101012", NULL, "resolved", "low", 3, 0, "", true,
     {{'C', 60 * 72, "What time do you close on Saturday?"},
      {'A', 60 * 71, "We're open Mon-Fri 8:00-18:00 and Sat 9:00-13:00."},
      {'C', 60 * 71 + 0, "Great thanks"},
      {0, 0, NULL}}},
};

static const struct seed_conv seed_convs_other[] = {
    {"Tom Rivera", "+15550102001", NULL, "open", NULL, 1, 0, "repair", false,
     {{'C', 15, "Is my bike ready? Dropped it off Monday"},
      {0, 0, NULL}}},
};

#endif
