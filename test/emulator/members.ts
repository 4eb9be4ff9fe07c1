// Chat members: the `ChatMember` JSON getChatMember answers with, and the `my_chat_member` update a bot
// gets when it is added to, promoted in or removed from a chat (Client.cpp JsonChatMember,
// JsonChatMemberUpdated). Both read the same MembershipSpec, so an update and a later getChatMember agree.

import type { ChatSpec, MembershipSpec } from './scenario.js';

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
        const send = m.canSendMessages === true;
        out.until_date = m.untilDate ?? 0;
        out.can_send_messages = send;
        out.can_send_media_messages = false;
        out.can_send_audios = false;
        out.can_send_documents = false;
        out.can_send_photos = m.canSendPhotos === true;
        out.can_send_videos = false;
        out.can_send_video_notes = false;
        out.can_send_voice_notes = false;
        out.can_send_polls = false;
        out.can_send_other_messages = false;
        out.can_add_web_page_previews = false;
        out.can_react_to_messages = false;
        out.can_edit_tag = false;
        out.can_change_info = false;
        out.can_invite_users = false;
        out.can_pin_messages = false;
        out.can_manage_topics = false;
        out.is_member = true;
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
