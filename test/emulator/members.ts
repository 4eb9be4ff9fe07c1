// Chat members: the `ChatMember` JSON getChatMember answers with, and the `my_chat_member` update a bot
// gets when it is added to, promoted in or removed from a chat (Client.cpp JsonChatMember,
// JsonChatMemberUpdated). Both read the same MembershipSpec, so an update and a later getChatMember agree.

import type { ChatSpec, MembershipSpec } from './scenario.js';

/** The named rights, each false, in the order given (the order the Bot API writes them in). */
function withheld(...rights: string[]): Record<string, false> {
  return Object.fromEntries(rights.map((r) => [r, false]));
}

export function memberJson(user: Record<string, unknown>, m: MembershipSpec, chatType: ChatSpec['type']): Record<string, unknown> {
  const out: Record<string, unknown> = { user, status: m.status };
  switch (m.status) {
    case 'creator':
      out.is_anonymous = false;
      break;
    case 'administrator': {
      const canPost = m.canPostMessages !== false;
      out.can_be_edited = false;
      out.can_manage_chat = true;
      out.can_change_info = false;
      if (chatType === 'channel') {
        out.can_post_messages = canPost;
        out.can_edit_messages = canPost;
      }
      out.can_delete_messages = m.canDeleteMessages === true;
      out.can_invite_users = true;
      out.can_restrict_members = false;
      if (chatType !== 'channel') out.can_pin_messages = false;
      if (chatType === 'supergroup') out.can_manage_topics = m.canManageTopics === true;
      out.can_promote_members = false;
      out.can_manage_video_chats = false;
      out.can_post_stories = false;
      out.can_edit_stories = false;
      out.can_delete_stories = false;
      if (chatType === 'channel') out.can_manage_direct_messages = false;
      if (chatType !== 'channel') out.can_manage_tags = false;
      out.is_anonymous = false;
      out.can_manage_voice_chats = false;
      break;
    }
    case 'member':
      if ((m.untilDate ?? 0) > 0) out.until_date = m.untilDate;
      break;
    case 'restricted':
      if (chatType === 'supergroup') {
        // A scenario sets only the rights the operator cares about; every other right is withheld.
        Object.assign(out, {
          until_date: m.untilDate ?? 0,
          can_send_messages: m.canSendMessages === true,
          ...withheld('can_send_media_messages', 'can_send_audios', 'can_send_documents'),
          can_send_photos: m.canSendPhotos === true,
          ...withheld(
            'can_send_videos',
            'can_send_video_notes',
            'can_send_voice_notes',
            'can_send_polls',
            'can_send_other_messages',
            'can_add_web_page_previews',
            'can_react_to_messages',
            'can_edit_tag',
            'can_change_info',
            'can_invite_users',
            'can_pin_messages',
            'can_manage_topics',
          ),
          is_member: true,
        });
      }
      break;
    case 'left':
      break;
    case 'kicked':
      out.until_date = m.untilDate ?? 0;
      break;
  }
  return out;
}

/** The `my_chat_member` payload: who changed the bot's status in which chat, from what to what. */
export function myChatMemberUpdate(input: {
  chat: Record<string, unknown>;
  chatType: ChatSpec['type'];
  from: Record<string, unknown>;
  bot: Record<string, unknown>;
  old: MembershipSpec;
  next: MembershipSpec;
  date: number;
}): { my_chat_member: Record<string, unknown> } {
  return {
    my_chat_member: {
      chat: input.chat,
      from: input.from,
      date: input.date,
      old_chat_member: memberJson(input.bot, input.old, input.chatType),
      new_chat_member: memberJson(input.bot, input.next, input.chatType),
    },
  };
}
